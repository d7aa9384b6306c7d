"""Ambassador work: consent records, guidance visits, verified skills, needs-help flags."""
