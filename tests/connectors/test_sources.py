"""The plain sources: built with all they need, no secret in what they show, one session file per account."""

from datetime import timedelta
from pathlib import Path

from connectors.sources import KoboToolbox, OdkCentral, session_file

PASSWORD, TOKEN = "Wr0ng-Horse-Battery", "0123456789abcdef0123456789abcdef"


def test_a_source_shows_its_settings_never_its_secret(tmp_path: Path) -> None:
    central = OdkCentral(base_url="https://central.example.org", email="viewer@example.org", password=PASSWORD,
                         project_id=7, reconcile_every=timedelta(hours=6), force_reconcile=True)
    kobo = KoboToolbox(base_url="https://kf.example.org", token=TOKEN, asset_uid="aB3", case_list_csv=tmp_path)
    assert central.details() == {"server": "https://central.example.org", "project": "7",
                                 "reconcile_every_hours": "6", "force_reconcile": "true"}
    assert kobo.details() == {"server": "https://kf.example.org", "asset": "aB3", "reconcile_every_hours": "24"}
    assert (central.name, central.project_key, kobo.name, kobo.project_key) == ("odk_central", "7", "kobotoolbox",
                                                                                  "aB3")
    assert PASSWORD not in repr(central) and TOKEN not in repr(kobo)


def test_a_session_file_per_server_and_account(tmp_path: Path) -> None:
    files = {session_file(tmp_path, url, email) for url in ("https://a.org", "https://b.org")
             for email in ("manager@x.org", "viewer@x.org")}
    assert len(files) == 4 and {f.parent for f in files} == {tmp_path}
    assert session_file(tmp_path, "https://a.org", "viewer@x.org") in files  # the same account, the same file
