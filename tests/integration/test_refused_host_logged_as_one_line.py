"""A Host header not in ALLOWED_HOSTS (a scanner trying the server's address) is answered 400 and
logged as one warning line on django.security.DisallowedHost — it was an ERROR with the whole
traceback, and a mail to the ADMINS, for every such request."""

import logging
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.test_production_server import GUNICORN, ROOT, _env, _free_port, _wait

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/staff/login/", "/portal/", "/api/v1/clients"])
def test_a_refused_host_is_one_warning_record_and_a_400(client, settings, caplog, path):
    settings.ALLOWED_HOSTS = ["panel.example.com"]
    with caplog.at_level(logging.INFO):
        response = client.get(path, HTTP_HOST="scanner.example.net")
    assert response.status_code == 400
    refused = [record for record in caplog.records if record.name == "django.security.DisallowedHost"]
    assert len(refused) == 1
    assert refused[0].levelno == logging.WARNING and refused[0].exc_info is None
    assert "scanner.example.net" in refused[0].getMessage()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_nothing_is_mailed_to_the_admins(client, settings, mailoutbox):
    settings.ALLOWED_HOSTS = ["panel.example.com"]
    settings.ADMINS = [("Ops", "ops@example.com")]
    assert client.get("/staff/login/", HTTP_HOST="scanner.example.net").status_code == 400
    assert mailoutbox == []


def test_an_allowed_host_is_served_as_before(client, settings):
    settings.ALLOWED_HOSTS = ["panel.example.com"]
    assert client.get("/staff/login/", HTTP_HOST="panel.example.com").status_code == 200


def test_gunicorn_prints_one_line_for_a_refused_host(tmp_path):
    port = _free_port()
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'host.sqlite3'}", WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS="1",
               ALLOWED_HOSTS="127.0.0.1", WEB_ACCESS_LOG=str(tmp_path / "access.log"))
    process = subprocess.Popen([GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/static/bootstrap/css/bootstrap.min.css", process)
        request = urllib.request.Request(base + "/staff/login/", headers={"Host": "scanner.example.net"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
    finally:
        process.terminate()
        printed = process.communicate(timeout=20)[0].decode()
    assert "Traceback" not in printed, printed
    lines = [line for line in printed.splitlines() if "scanner.example.net" in line]
    assert lines == ["Invalid HTTP_HOST header: 'scanner.example.net'. "
                     "You may need to add 'scanner.example.net' to ALLOWED_HOSTS."], printed
