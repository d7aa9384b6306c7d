"""The installable web app: manifest, service worker, and what a course needs offline."""

import json
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..api import bp as api_bp
from ..auth import PUBLIC, SIGNED_IN, access
from ..content.catalog import lesson_text
from ..i18n import current_language
from ..learning.queries import visible_course
from ..narration import operations as narration
from ..templating import static_url

bp = Blueprint("pwa", __name__, template_folder="templates")


@bp.route("/sw.js")
@access(PUBLIC)
def service_worker():
    """Served from the root so that its scope is the whole site."""
    response = send_file(Path(current_app.config["LMS_STATIC_DIR"]) / "js" / "sw.js",
                         mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
@access(PUBLIC)
def manifest():
    language = current_language()
    body = {
        "name": "Học Số",
        "short_name": "Học Số",
        "description": _("Learn to use public services, pay with your phone and stay safe "
                         "from scams."),
        "lang": language.code,
        "start_url": url_for("learning.home", lang=language.code),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#0a4f99",
        "icons": [
            {"src": static_url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml",
             "purpose": "any"},
            {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.route("/offline")
@access(PUBLIC)
def offline_page():
    """Shown by the service worker for a page that is not saved; each page keeps a copy."""
    return render_template("pwa/offline.html")


@api_bp.route("/courses/<slug>/offline")
@access(SIGNED_IN)
def offline_files(slug: str):
    """Every URL a phone must keep to play this course offline, and their total size."""
    course = visible_course(current_user, slug)
    if course is None:
        abort(404)
    language = current_language().code
    urls = [url_for("learning.home"), url_for("learning.course", course_slug=slug),
            url_for("api.course_detail", slug=slug, lang=language),
            static_url("js/app.js"), static_url("icons/icon.svg")]
    size = 0
    folder = Path(current_app.config["LMS_COURSES_DIR"]) / slug
    for lesson in course.lessons:
        text, _fell_back = lesson_text(lesson, language)
        # The published recordings of the lesson's language, which Listen plays first.
        for recording in narration.published_recordings(slug, lesson.slug, text).values():
            urls.append(narration.recording_url(recording))
            size += recording.bytes
        urls += [url_for("learning.step", course_slug=slug, lesson_slug=lesson.slug, number=n)
                 for n in range(1, len(text.steps) + 1)]
        for step in text.steps:
            pictures = [step.picture] if step.picture else []
            if step.question:
                pictures += [o.picture for o in step.question.options if o.picture]
            for picture in pictures:
                urls.append(url_for("learning.course_file", course_slug=slug,
                                    path=f"images/{picture.file}",
                                    v=course.images[picture.file]))
                size += (folder / "images" / picture.file).stat().st_size
    unique = list(dict.fromkeys(urls))
    # Pages are about 4 KB each once compressed; pictures are counted as they are.
    size += 4096 * sum(1 for url in unique
                       if "/content/" not in url and "/narration/recordings/" not in url)
    return jsonify({"course": slug, "version": course.version, "language": language,
                    "urls": unique, "bytes": size})
