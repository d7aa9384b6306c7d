"""Communes and villages in the admin's pages: create, rename, merge, deactivate, import."""

import io
import unicodedata

import pytest

from lms.audit import AuditEntry
from lms.extensions import db
from lms.places.models import Commune, Household, Village
from tests.conftest import csrf_from


def _post(client, path, data, page="/admin/places", files=None):
    data = {**data, "csrf_token": csrf_from(client, page)}
    if files:
        data.update(files)
        return client.post(path, data=data, content_type="multipart/form-data")
    return client.post(path, data=data)


def _villages() -> int:
    return db.session.scalar(db.select(db.func.count(Village.id)))


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "home", "away"), [
    ("admin", 200, 200), ("official", 200, 404), ("far_official", 404, 200),
    ("ambassador", 404, 404), ("mine", 404, 404)])
def test_commune_and_village_pages_follow_scope(signed_in, world, who, home, away):
    client = signed_in(who)
    assert client.get(f"/admin/communes/{world['home'].id}").status_code == home
    assert client.get(f"/admin/communes/{world['away'].id}").status_code == away
    assert client.get(f"/admin/villages/{world['village'].id}").status_code == home
    assert client.get(f"/admin/villages/{world['far_village'].id}").status_code == away


@pytest.mark.parametrize("who", ["official", "ambassador", "mine"])
def test_only_the_admin_changes_places(signed_in, world, who):
    client = signed_in(who)
    assert client.get("/admin/places").status_code == 404
    assert client.get("/admin/places/import").status_code == 404
    token = csrf_from(client, "/")
    commune_id = world["home"].id
    for path in (f"/admin/communes/{commune_id}/rename", f"/admin/communes/{commune_id}/villages",
                 f"/admin/communes/{commune_id}/active", "/admin/communes",
                 f"/admin/villages/{world['village'].id}/rename"):
        assert client.post(path, data={"name": "Bản Mới", "csrf_token": token}).status_code == 404
    db.session.refresh(world["home"])
    assert world["home"].name == "Chiềng Mung" and world["home"].active


def test_an_official_reads_their_commune_without_forms(signed_in, world):
    page = signed_in("official").get(f"/admin/communes/{world['home'].id}").get_data(
        as_text=True)
    assert "Bản Mé" in page and "Bản Púng" in page
    assert "/rename" not in page and "/merge" not in page


# --- changes -------------------------------------------------------------------------------


def test_admin_creates_a_commune_and_a_village(signed_in, world):
    client = signed_in("admin")
    response = _post(client, "/admin/communes", {"name": "  Chiềng   Sơn ", "kind": "xa",
                                                 "code": "04123"})
    assert response.status_code == 302
    commune = db.session.scalar(db.select(Commune).filter_by(code="04123"))
    assert commune.name == "Chiềng Sơn"
    response = _post(client, f"/admin/communes/{commune.id}/villages",
                     {"name": "Bản Nà Ngần", "kind": "ban", "code": "V-1"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Village).filter_by(code="V-1")).commune_id == commune.id
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"commune.created", "village.created"} <= actions


@pytest.mark.parametrize("data", [
    {"name": "", "kind": "xa"}, {"name": "x" * 121, "kind": "xa"},
    {"name": "Mường Bon", "kind": "xa"}, {"name": "Xã Mới", "kind": "district"}])
def test_a_bad_commune_is_refused_and_nothing_is_written(signed_in, world, data):
    client = signed_in("admin")
    before = db.session.scalar(db.select(db.func.count(Commune.id)))
    response = _post(client, "/admin/communes", data)
    assert response.status_code == 400
    assert 'class="error-text"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Commune.id))) == before


def test_changes_without_csrf_are_refused(signed_in, world):
    client = signed_in("admin")
    assert client.post("/admin/communes", data={"name": "Xã Mới", "kind": "xa"}).status_code == 400
    response = client.post(f"/admin/villages/{world['village'].id}/rename",
                           data={"name": "Bản Mới"})
    assert response.status_code == 400
    assert client.post(f"/admin/communes/{world['home'].id}/active",
                       data={"active": "0"}).status_code == 400
    db.session.refresh(world["village"])
    assert world["village"].name == "Bản Mé" and world["home"].active


def test_a_renamed_village_is_still_found_by_its_old_name(signed_in, world):
    client = signed_in("admin")
    village = world["village"]
    response = _post(client, f"/admin/villages/{village.id}/rename", {"name": "Bản Mé Mới"})
    assert response.status_code == 302
    db.session.refresh(village)
    assert village.name == "Bản Mé Mới"
    page = client.get("/admin/places?q=Bản Mé").get_data(as_text=True)
    assert f"/admin/villages/{village.id}" in page
    assert "Bản Mé" in client.get(f"/admin/villages/{village.id}").get_data(as_text=True)
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="village.renamed"))
    assert entry.changes == {"name": ["Bản Mé", "Bản Mé Mới"]}


def test_a_rename_to_a_taken_name_is_refused(signed_in, world):
    client = signed_in("admin")
    response = _post(client, f"/admin/villages/{world['village'].id}/rename",
                     {"name": "Bản Púng"})
    assert response.status_code == 400
    db.session.refresh(world["village"])
    assert world["village"].name == "Bản Mé"


def test_merging_moves_villages_households_and_staff(signed_in, world):
    client = signed_in("admin")
    response = _post(client, f"/admin/communes/{world['away'].id}/merge",
                     {"target": world["home"].id})
    assert response.status_code == 302
    db.session.refresh(world["far_village"])
    db.session.refresh(world["away"])
    assert world["far_village"].commune_id == world["home"].id
    assert not world["away"].active
    far = db.session.get(Household, world["far"].id)
    assert far.village.commune_id == world["home"].id
    db.session.refresh(world["far_official"])
    assert world["far_official"].commune_id == world["home"].id
    # The official of the commune now sees the moved households.
    assert signed_in("official").get(f"/people/{far.members[0].id}").status_code == 200


def test_merging_is_refused_when_both_have_a_village_of_the_same_name(signed_in, world,
                                                                     make_village):
    make_village(world["away"], "Bản Mé")
    client = signed_in("admin")
    response = _post(client, f"/admin/communes/{world['away'].id}/merge",
                     {"target": world["home"].id})
    assert response.status_code == 400
    assert "Bản Mé" in response.get_data(as_text=True)
    db.session.refresh(world["away"])
    assert world["away"].active


def test_a_deactivated_village_takes_no_new_households(signed_in, world):
    from lms.auth import registrable_villages

    client = signed_in("admin")
    assert _post(client, f"/admin/villages/{world['village'].id}/active",
                 {"active": "0"}).status_code == 302
    ids = db.session.scalars(registrable_villages(world["ambassador"]).with_only_columns(
        Village.id)).all()
    assert world["village"].id not in ids and world["other_village"].id in ids


# --- CSV import ----------------------------------------------------------------------------


def _upload(client, content: bytes, name: str = "villages.csv"):
    return _post(client, "/admin/places/import", {"action": "preview"},
                 page="/admin/places/import", files={"file": (io.BytesIO(content), name)})


def _apply(client):
    return _post(client, "/admin/places/import", {"action": "apply"},
                 page="/admin/places/import")


GOOD = ("code,name,kind,commune\nV01,Bản Co Muông,bản,Chiềng Mung\n"
        "V02,Tiểu khu 3,tiểu khu,Mường Bon\n")


def test_a_good_file_is_previewed_then_applied(signed_in, world):
    client = signed_in("admin")
    before = _villages()
    response = _upload(client, GOOD.encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bản Co Muông" in page and "Tiểu khu 3" in page
    assert _villages() == before  # a preview writes nothing
    assert _apply(client).status_code == 302
    assert _villages() == before + 2
    village = db.session.scalar(db.select(Village).filter_by(code="V02"))
    assert village.kind == "tieu_khu" and village.commune_id == world["away"].id
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="villages.imported"))
    # The same upload cannot be applied twice.
    assert _apply(client).status_code == 400
    assert _villages() == before + 2


@pytest.mark.parametrize("content", [
    b"\xef\xbb\xbf" + GOOD.encode(),  # Excel's "CSV UTF-8"
    GOOD.replace(",", ";").encode(),  # Excel in a Vietnamese locale
    "Mã;Tên;Loại;Xã\r\nV01;Bản Co Muông;Bản;chiềng mung\r\nV02;Tiểu khu 3;tiểu khu;Mường Bon\r\n"
    .encode("utf-8-sig"),
])
def test_files_saved_from_excel_are_read(signed_in, world, content):
    client = signed_in("admin")
    assert _upload(client, content).status_code == 200
    assert _apply(client).status_code == 302
    assert db.session.scalar(db.select(Village).filter_by(code="V01")).name == "Bản Co Muông"


def _windows_1258(text: str) -> bytes:
    """Text as Excel saves it on a Vietnamese Windows: base letters plus tone marks."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            out += unicodedata.normalize("NFC", base + "".join(marks[:-1])).encode("cp1258")
            out += marks[-1].encode("cp1258")
    return out


def test_a_windows_1258_file_is_refused_with_how_to_save_it(signed_in, world):
    client = signed_in("admin")
    before = _villages()
    response = _upload(client, _windows_1258("code,name,kind,commune\n"
                                             "V01,Bản Mường,bản,Chiềng Mung\n"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "UTF-8" in page and "2" in page
    assert _villages() == before


def test_row_errors_are_listed_with_their_lines_and_nothing_is_written(signed_in, world):
    client = signed_in("admin")
    before = _villages()
    content = ("code,name,kind,commune\n"
               "V01,Bản Một,bản,Chiềng Mung\n"
               "V01,Bản Hai,bản,Chiềng Mung\n"
               "V03,Bản Ba,bản,Xã Không Có\n"
               "V04,Bản Mé,bản,Chiềng Mung\n"
               "V05,,bản,Chiềng Mung\n"
               "V06,Bản Sáu,huyện,Chiềng Mung\n").encode()
    response = _upload(client, content)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "also on line 2" in page or "cũng có ở dòng 2" in page
    for text in ("Xã Không Có", "Bản Mé", "huyện"):
        assert text in page
    assert _apply(client).status_code == 400
    assert _villages() == before


def test_formula_cells_are_kept_as_text(signed_in, world):
    client = signed_in("admin")
    content = "code,name,kind,commune\n@V1,=HYPERLINK(\"x\"),bản,Chiềng Mung\n".encode()
    assert _upload(client, content).status_code == 200
    assert _apply(client).status_code == 302
    village = db.session.scalar(db.select(Village).filter_by(code="@V1"))
    assert village.name == '=HYPERLINK("x")'


def test_neutralise_cell_defuses_formulas():
    from lms.spreadsheets import neutralise_cell

    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("-2") == "'-2"
    assert neutralise_cell("Bản Mé") == "Bản Mé"
    assert neutralise_cell(3) == 3


@pytest.mark.parametrize("content", [b"", b"name,commune\nx,y\n", b"code,name,kind,commune\n",
                                     b"\x00\x01\x02binary"])
def test_broken_files_get_a_clear_error(signed_in, world, content):
    response = _upload(signed_in("admin"), content)
    assert response.status_code == 400
    assert 'class="error-text"' in response.get_data(as_text=True)


def test_a_20_mb_upload_is_refused_with_a_clear_page(signed_in, world):
    client = signed_in("admin")
    response = _upload(client, b"a" * (20 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "2 MB" in page or "2 MB" in page.replace("\xa0", " ")


def test_the_import_takes_more_than_the_site_wide_limit(signed_in, world):
    rows = "".join(f"V{i:05},Bản {i},bản,Chiềng Mung\n" for i in range(40000))
    content = ("code,name,kind,commune\n" + rows).encode()
    assert len(content) > 1024 * 1024
    response = _upload(signed_in("admin"), content)
    assert response.status_code == 400  # read, and refused for its row count only
    assert "5000" in response.get_data(as_text=True).replace(".", "").replace("\xa0", "")
