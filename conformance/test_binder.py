"""Binder checks that need no build (run by `./loralab test`, step 4, next to the postBuild check):

- every package in binder/apt.txt is in this machine's apt index (skipped, with a printed notice, where apt-cache
  is absent or its index is empty). mybinder builds on Ubuntu 24.04 (noble, repo2docker's buildpack-deps:24.04
  base), not on Debian: this check uses whatever index THIS machine has (Debian 12 on the project's machines), so it
  catches typos, version pins and packages that do not exist at all, but it does NOT prove that noble has the same
  package names (universe included); only a real repo2docker build does;
- binder/start exports the settings it promises, keeps the caller's environment, and ends by exec'ing its
  arguments (same process, arguments and exit status unchanged);
- `./loralab binder-url` derives the mybinder.org URL from a GitHub origin and a tag, in a temporary repository
  with a fake origin and tag, and fails with one line without them.
"""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINDER = os.path.join(ROOT, "binder")
# repo2docker's rule for apt.txt lines (no version pins); Debian policy names: lower case, digits, + - .
PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9.+-]+$")


def apt_packages():
    with open(os.path.join(BINDER, "apt.txt"), encoding="utf-8") as f:
        return [line.split("#", 1)[0].strip() for line in f if line.split("#", 1)[0].strip()]


class AptTxt(unittest.TestCase):
    def test_names_are_plain_package_names(self):
        packages = apt_packages()
        self.assertTrue(packages, "binder/apt.txt lists no package")
        for p in packages:
            self.assertRegex(p, PACKAGE_NAME, f"'{p}': one plain package name per line (repo2docker has no pins)")
        self.assertEqual(len(packages), len(set(packages)), "a package is listed twice")

    def test_every_package_is_in_the_apt_index(self):
        apt_cache = shutil.which("apt-cache")
        if apt_cache is None:
            print("\nnotice: apt-cache is absent here; binder/apt.txt's names were not checked against an index")
            self.skipTest("no apt-cache")
        if not glob.glob("/var/lib/apt/lists/*_Packages*"):
            print("\nnotice: the apt index is empty (run apt-get update); binder/apt.txt's names were not checked")
            self.skipTest("empty apt index")
        packages = apt_packages()
        # one call for all: apt-cache policy prints "name:" and "Candidate: version" for each package it knows, and
        # "Candidate: (none)" for a purely virtual one
        policy = subprocess.run([apt_cache, "policy", *packages], capture_output=True, text=True, timeout=120).stdout
        candidates = dict(re.findall(r"^(\S+):\n\s+Installed: .*\n\s+Candidate: (.*)$", policy, re.MULTILINE))
        missing = [p for p in packages if candidates.get(p, "(none)") == "(none)"]
        self.assertEqual(missing, [], "binder/apt.txt names packages this apt index does not have (or only "
                                      "virtual ones)")


class StartScript(unittest.TestCase):
    START = os.path.join(BINDER, "start")

    def start(self, *command, env=None):
        return subprocess.run([self.START, *command], capture_output=True, text=True,
                              env=dict(os.environ, **(env or {})), timeout=30)

    def test_it_is_executable_and_ends_with_exec(self):
        self.assertTrue(os.access(self.START, os.X_OK), "binder/start must be executable")
        with open(self.START, encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip() and not line.strip().startswith("#")]
        self.assertEqual(lines[-1], 'exec "$@"', "binder/start must end with exec \"$@\"")

    def test_it_exports_the_one_cpu_settings(self):
        self.assertEqual(self.start("bash", "-c", "echo $OMP_NUM_THREADS").stdout, "1\n")
        env = self.start("env", env={"JAVA_TOOL_OPTIONS": "-Dcaller.option=1", "LORALAB_PROBE": "kept"}).stdout
        values = dict(line.split("=", 1) for line in env.splitlines() if "=" in line)
        for name, value in {"DJL_OFFLINE": "true", "OPT_OUT_TRACKING": "true", "DJL_DISABLE_PROGRESS_BAR": "true",
                            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2",
                            "DJL_CACHE_DIR": os.path.join(os.environ["HOME"], ".djl.ai"),
                            "LORALAB_PROBE": "kept", "PATH": os.environ["PATH"]}.items():
            self.assertEqual(values.get(name), value, name)
        java = values.get("JAVA_TOOL_OPTIONS", "").split()
        for option in ["-Dcaller.option=1", "-XX:ActiveProcessorCount=1", "-XX:+UseSerialGC",
                       "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"]:
            self.assertIn(option, java, "JAVA_TOOL_OPTIONS keeps the caller's options and adds the one-CPU ones")

    def test_it_execs_its_arguments_unchanged(self):
        done = self.start("printf", "%s|", "two words", "", "$HOME", "*")
        self.assertEqual(done.stdout, "two words||$HOME|*|")
        self.assertEqual(self.start("bash", "-c", "exit 7").returncode, 7, "the command's exit status comes back")
        # exec, not a child: the shell that execs binder/start and the command it runs are one process
        pids = subprocess.run(["bash", "-c", 'echo $$; exec "$0" bash -c "echo \\$\\$"', self.START],
                              capture_output=True, text=True, timeout=30).stdout.split()
        self.assertEqual(len(pids), 2, pids)
        self.assertEqual(pids[0], pids[1], "binder/start must exec its arguments, not run them as a child")


class BinderUrl(unittest.TestCase):
    def setUp(self):
        self.repo = tempfile.mkdtemp(prefix="loralab-binder-url-")
        self.addCleanup(shutil.rmtree, self.repo, ignore_errors=True)
        shutil.copy2(os.path.join(ROOT, "loralab"), self.repo)
        self.git("init", "-q")
        self.git("add", "loralab")
        self.git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "launcher")

    def git(self, *args):
        subprocess.run(["git", "-C", self.repo, *args], check=True, capture_output=True)

    def url(self, *args):
        return subprocess.run([os.path.join(self.repo, "loralab"), "binder-url", *args], capture_output=True,
                              text=True, timeout=30)

    def test_origin_forms_and_tags(self):
        self.git("tag", "v0.1")
        self.git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "2")
        self.git("tag", "-a", "-m", "release", "v0.2")
        for origin in ["git@github.com:loralab/lora-lab.git", "https://github.com/loralab/lora-lab",
                       "https://github.com/loralab/lora-lab.git", "ssh://git@github.com/loralab/lora-lab.git"]:
            subprocess.run(["git", "-C", self.repo, "remote", "remove", "origin"], capture_output=True)
            self.git("remote", "add", "origin", origin)
            done = self.url()
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout.splitlines(), [
                "https://mybinder.org/v2/gh/loralab/lora-lab/v0.2",
                "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/loralab/lora-lab/v0.2)"],
                origin)
        self.assertEqual(self.url("v0.1").stdout.splitlines()[0], "https://mybinder.org/v2/gh/loralab/lora-lab/v0.1")
        self.git("tag", "course/2026")
        self.assertEqual(self.url("course/2026").stdout.splitlines()[0],
                         "https://mybinder.org/v2/gh/loralab/lora-lab/course%2F2026")

    def assert_one_line_error(self, done, words):
        self.assertNotEqual(done.returncode, 0)
        self.assertEqual(done.stdout, "")
        self.assertEqual(len(done.stderr.splitlines()), 1, done.stderr)
        self.assertIn(words, done.stderr)

    def test_one_line_errors(self):
        self.assert_one_line_error(self.url(), "no 'origin' remote")
        self.git("remote", "add", "origin", "https://gitlab.com/loralab/lora-lab.git")
        self.assert_one_line_error(self.url(), "not a GitHub repository")
        self.git("remote", "set-url", "origin", "git@github.com:loralab/lora-lab.git")
        self.assert_one_line_error(self.url(), "no tag reachable from HEAD")
        self.assert_one_line_error(self.url("v9"), "no tag 'v9'")


if __name__ == "__main__":
    unittest.main()
