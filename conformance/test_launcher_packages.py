"""./loralab's package check, on a machine that lacks packages: a fake python that cannot import some modules stands
in for a machine without their Debian packages. `./loralab test` must name every missing package in one line (or
install them as root on Debian) before it builds or runs anything. Needs no kernel."""
import os
import stat
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(ROOT, "loralab")
LACKING = ["jupyter_kernel_test", "torch"]


def script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


class LauncherPackages(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        lacking = " ".join(LACKING)
        # refuses `-c "import X"` for the lacking modules, runs everything else with the real python
        self.python = script(os.path.join(self.tmp.name, "python3"), f"""#!/bin/bash
if [[ "$1" == -c ]]; then
  for m in {lacking}; do [[ "$2" == "import $m" ]] && exit 1; done
fi
exec /usr/bin/python3 "$@"
""")
        self.apt_log = os.path.join(self.tmp.name, "apt.log")
        self.apt = script(os.path.join(self.tmp.name, "apt-get"), f"""#!/bin/bash
echo "$*" >> {self.apt_log}
""")

    def tearDown(self):
        self.tmp.cleanup()

    def run_launcher(self, *args, **env):
        e = dict(os.environ, LORALAB_PYTHON=self.python, LORALAB_APT_GET=self.apt, **env)
        return subprocess.run([LAUNCHER, *args], env=e, capture_output=True, text=True, timeout=120)

    def test_missing_packages_are_named_by_their_debian_names(self):
        r = self.run_launcher("missing-packages", "test")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual(["python3-jupyter-kernel-test", "python3-torch"], r.stdout.split())
        r = self.run_launcher("missing-packages", "start")
        self.assertEqual([], r.stdout.split(), "start needs neither")

    def test_test_command_names_every_missing_package_in_one_line_before_building(self):
        r = self.run_launcher("test", LORALAB_NO_INSTALL="1")
        self.assertEqual(1, r.returncode)
        self.assertEqual("", r.stdout, "nothing ran")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), r.stderr)
        self.assertIn("python3-jupyter-kernel-test python3-torch", lines[0])
        self.assertIn("sudo apt-get install -y", lines[0])
        self.assertFalse(os.path.exists(self.apt_log), "LORALAB_NO_INSTALL=1 must not install")

    @unittest.skipUnless(os.geteuid() == 0 and os.path.exists("/etc/debian_version"), "installs only as root on Debian")
    def test_as_root_on_debian_it_installs_exactly_the_missing_packages(self):
        r = self.run_launcher("test")
        # the fake apt-get installs nothing, so the check after it fails and says so
        self.assertEqual(1, r.returncode)
        self.assertIn("still missing after apt-get install: python3-jupyter-kernel-test python3-torch", r.stderr)
        with open(self.apt_log) as f:
            calls = f.read().splitlines()
        self.assertEqual(["update", "install -y python3-jupyter-kernel-test python3-torch"], calls)


if __name__ == "__main__":
    unittest.main()
