"""`make demo`: after the demo's accounts it prints the login page's address, and the
links of the e-mails it prints lead to the port it serves on. Read from make's dry run: nothing is run.
The README's examples reach that port, and name the accounts the demo makes."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*arguments: str) -> list[str]:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make est introuvable sur cette machine.")
    done = subprocess.run([make, "--no-print-directory", "-n", "demo", *arguments], cwd=ROOT, check=True,  # noqa: S603
                          capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    return [line for line in done.stdout.splitlines() if "manage.py" in line or line.startswith("echo")]


@pytest.mark.parametrize("arguments,url", [((), "http://127.0.0.1:8000"), (("PORT=8080",), "http://127.0.0.1:8080")])
def test_the_demo_serves_prints_and_links_on_one_port(arguments, url):
    lines = dry_run(*arguments)
    commands = [line for line in lines if "manage.py" in line]
    assert [line.split("manage.py ")[1].split()[0] for line in commands] == [
        "reset_stale_demo", "migrate", "seed_demo", "verify_audit", "db_worker", "runserver"]  # the worker beside it
    assert all(f"SITE_URL={url} " in line for line in commands)  # the links of every e-mail it prints
    assert commands[-1].endswith(f" {url.removeprefix('http://')}")
    shown = lines.index(f'echo "Ouvrez la page de connexion : {url}/connexion/"')
    assert lines[shown - 1] == commands[-3] and lines[shown + 1:] == commands[-2:]  # after the accounts, last


@pytest.mark.parametrize("port", [None, "8080"])
def test_the_readmes_curl_examples_reach_the_port_the_demo_serves_on(port):
    """Issue 28, point 17: ``PORT=8080 make demo`` serves on 8080; the API's examples, run in that shell, too."""
    served = dry_run(*([f"PORT={port}"] if port else []))[-1].split()[-1]  # runserver's address
    examples = re.findall(r"^curl .*?(\S*https?://\S+)", (ROOT / "README.md").read_text(), re.MULTILINE)
    assert len(examples) == 2
    for address in examples:
        expanded = subprocess.run(["/bin/sh", "-c", f"echo {address}"], check=True, capture_output=True, text=True,  # noqa: S603
                                  env={"PORT": port} if port else {}).stdout.strip()
        assert expanded.startswith(f"http://{served}/api/v1/signalements")


def test_the_readme_names_the_demo_accounts_as_seed_demo_makes_them():
    from demo.management.commands.seed_demo import ACCOUNTS, role_words

    readme = (ROOT / "README.md").read_text()
    for username, first, last, role, code, _, function in ACCOUNTS:
        assert f"| `{username}` | {first} {last} ({function}) | {role_words(role, code)} |" in readme
