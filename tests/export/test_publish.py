"""publish: real rsync to a local folder and over SSH to a private sshd on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.publish import PublishError, describe_change, publish
from tests.export.conftest import prepare_fixture

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="needs rsync")


def set_publish(site: Site, target: str, ssh: str = "") -> Site:
    """Rewrite the [publish] table of the site's hkcms.toml."""
    config = site.root / "hkcms.toml"
    text = config.read_text().split("[publish]")[0]
    text += f"[publish]\ntarget = {target!r}\n"
    if ssh:
        text += f"ssh = {ssh!r}\n"
    config.write_text(text)
    return Site.open(site.root)


@pytest.fixture
def exported_site(tmp_path: Path) -> Site:
    site = prepare_fixture(tmp_path / "site")
    export_site(site)
    return site


def test_publish_to_a_local_folder(exported_site: Site, tmp_path: Path) -> None:
    remote = tmp_path / "www"
    blog = remote / "blog"
    blog.mkdir(parents=True)
    (blog / "old-page.html").write_text("from an old site")
    (remote / "other-site.html").write_text("must survive --delete")
    site = set_publish(exported_site, f"{blog}/")

    dry = publish(site, dry_run=True)
    assert dry.dry_run and dry.changes and "Dry run" in dry.summary()
    assert sorted(p.name for p in blog.iterdir()) == ["old-page.html"]  # nothing sent

    result = publish(site)
    assert (blog / "index.html").read_bytes() == (site.public_dir / "index.html").read_bytes()
    assert (blog / "posts/中文文章/index.html").is_file()
    assert not (blog / "old-page.html").exists()  # --delete inside the target folder
    assert (remote / "other-site.html").read_text() == "must survive --delete"
    assert not (blog / ".hkcms-export.json").exists()
    assert any("deleting" in line for line in result.changes)
    assert result.summary().startswith(f"Published to {blog}/:")

    again = publish(site)
    assert again.changes == []


def test_publish_errors_are_clear(exported_site: Site, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match=r"no publish target.*hkcms.toml"):
        publish(exported_site)
    for target in ("/", "host:", "user@host:/", "user@host:~", "host:~/", "-e sh", "a/../../b"):
        with pytest.raises(PublishError):
            publish(set_publish(exported_site, target))
    with pytest.raises(PublishError, match="holds the site"):
        publish(set_publish(exported_site, str(exported_site.root.parent)))
    site = set_publish(exported_site, str(tmp_path / "dest"))
    shutil.rmtree(site.public_dir)
    with pytest.raises(PublishError, match="run 'hkcms export' first"):
        publish(site)


def test_publish_without_rsync(
    exported_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = set_publish(exported_site, str(tmp_path / "dest"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(PublishError, match="rsync is not installed"):
        publish(site)


def test_publish_cli(exported_site: Site, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = set_publish(exported_site, str(tmp_path / "dest"))
    assert main(["--site", str(site.root), "publish", "--dry-run"]) == 0
    assert "Dry run:" in capsys.readouterr().out
    assert not (tmp_path / "dest").exists()
    assert main(["--site", str(site.root), "publish"]) == 0
    assert (tmp_path / "dest/index.html").is_file()
    set_publish(site, "")
    assert main(["--site", str(site.root), "publish"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hkcms: ") and err.count("\n") == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private sshd on 127.0.0.1 (free port, own host and client keys), stopped afterwards."""
    if not Path("/usr/sbin/sshd").exists() or shutil.which("ssh-keygen") is None:
        pytest.skip("needs openssh-server (/usr/sbin/sshd) and ssh-keygen")
    home = tmp_path / "ssh"
    home.mkdir(mode=0o700)
    host_key, client_key = home / "host_ed25519", home / "client_ed25519"
    for key in (host_key, client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    shutil.copy(f"{client_key}.pub", home / "authorized_keys")
    port = free_port()
    user = (
        os.environ.get("USER")
        or subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    )
    config = home / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1:{port}\nAddressFamily inet\nHostKey {host_key}\n"
        f"PidFile {home / 'sshd.pid'}\nAuthorizedKeysFile {home / 'authorized_keys'}\n"
        "StrictModes no\nPermitRootLogin prohibit-password\n"
        f"AllowUsers {user}\nPubkeyAuthentication yes\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nX11Forwarding no\n"
        "AllowTcpForwarding no\nAllowAgentForwarding no\nPrintMotd no\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation folder
    proc = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-f", str(config), "-E", str(home / "sshd.log")]
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (home / "sshd.log").read_text() if (home / "sshd.log").exists() else ""
                    pytest.fail(f"sshd did not start: {log}")
                time.sleep(0.05)
        known = home / "known_hosts"
        known.write_text(f"[127.0.0.1]:{port} {(home / 'host_ed25519.pub').read_text()}")
        ssh = (
            f"ssh -p {port} -i {client_key} -o IdentitiesOnly=yes -o BatchMode=yes "
            f"-o StrictHostKeyChecking=yes -o UserKnownHostsFile={known}"
        )
        yield {"ssh": ssh, "user": user}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_publish_over_ssh(exported_site: Site, tmp_path: Path, sshd: dict[str, str]) -> None:
    blog = tmp_path / "remote" / "blog"
    blog.mkdir(parents=True)
    (blog / "stale.html").write_text("old")
    (tmp_path / "remote" / "neighbour.html").write_text("keep")
    site = set_publish(exported_site, f"{sshd['user']}@127.0.0.1:{blog}/", sshd["ssh"])
    dry = publish(site, dry_run=True)
    assert dry.changes and not (blog / "index.html").exists()
    result = publish(site)
    assert result.changes
    assert (blog / "feed.xml").read_bytes() == (site.public_dir / "feed.xml").read_bytes()
    assert (blog / "posts/中文文章/index.html").is_file()
    assert not (blog / "stale.html").exists()
    assert (tmp_path / "remote" / "neighbour.html").read_text() == "keep"
    assert oct((blog / "index.html").stat().st_mode & 0o777) == "0o644"
    # An unknown host key is refused with a clear error, not a hang or a prompt.
    unknown = re.sub(r"UserKnownHostsFile=\S+", "UserKnownHostsFile=/dev/null", sshd["ssh"])
    bad = set_publish(site, f"{sshd['user']}@127.0.0.1:{blog}/", unknown)
    with pytest.raises(PublishError, match="rsync to .* failed .*host key"):
        publish(bad)


def test_an_export_with_drafts_is_never_published(
    exported_site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blog = tmp_path / "www" / "blog"
    blog.mkdir(parents=True)
    site = set_publish(exported_site, f"{blog}/")
    export_site(site, drafts=True)
    assert (site.public_dir / "posts" / "draft-notes" / "index.html").is_file()
    for dry_run in (True, False):
        with pytest.raises(PublishError, match="includes drafts and is never published"):
            publish(site, dry_run=dry_run)
    assert main(["--site", str(site.root), "publish"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "export again without drafts" in err
    assert list(blog.iterdir()) == []  # nothing was sent

    assert main(["--site", str(site.root), "export"]) == 0  # the same folder, drafts left out
    assert main(["--site", str(site.root), "publish"]) == 0
    assert (blog / "index.html").is_file()
    assert not (blog / "posts" / "draft-notes").exists()


def test_export_with_drafts_says_it_cannot_be_published(
    exported_site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(exported_site.root), "export", "--drafts"]) == 0
    assert "'hkcms publish' refuses" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (">f+++++++++ index.html", "new file: index.html"),
        ("cd+++++++++ posts/new/", "new folder: posts/new/"),
        (">f.st...... posts/a/index.html", "changed file: posts/a/index.html"),
        ("<f.st...... feed.xml", "changed file: feed.xml"),
        ("*deleting   old-page.html", "delete: old-page.html"),
        (".f..t...... robots.txt", "same file, new date or permissions: robots.txt"),
        ("cL+++++++++ latest -> posts/a", "new link: latest -> posts/a"),
    ],
)
def test_rsync_item_codes_are_told_in_words(line: str, words: str) -> None:
    assert describe_change(line) == words
