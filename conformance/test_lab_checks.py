"""The lab output checks (notebook-checks/<lab>.py) fail when they should: on synthetic executed notebooks, a
solutions notebook passes only when every exercise printed `correct`, a student notebook only when every one printed
`not yet`, and neither passes with an error output or a missing verdict. Needs no kernel."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "notebook-checks"))
import _labs  # noqa: E402


REFERENCE = "full fine-tuning: accuracy 0.879 with 71,749 trainable parameters"


def notebook(lines, error=False, reference=REFERENCE):
    cells = [{"cell_type": "code", "metadata": {}, "source": "check(...)", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": [line + "\n" for line in [reference] + lines]}]}]
    if error:
        cells.append({"cell_type": "code", "metadata": {}, "source": "x", "outputs": [
            {"output_type": "error", "ename": "CompilationException", "evalue": "boom", "traceback": []}]})
    return {"cells": cells, "metadata": {"kernelspec": {"name": "loralab"}}, "nbformat": 4, "nbformat_minor": 5}


class LabChecks(unittest.TestCase):
    def run_check(self, script, nb):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "executed.ipynb")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(nb, f)
            done = subprocess.run([sys.executable, os.path.join(HERE, "notebook-checks", script), path],
                                  capture_output=True, text=True)
            return done.returncode, done.stderr

    def test_every_lab_notebook_has_a_check(self):
        labs = os.path.join(os.path.dirname(HERE), "notebooks", "labs")
        for name in sorted(os.listdir(labs)):
            if name.endswith(".ipynb"):
                stem = name[:-len(".ipynb")]
                self.assertTrue(os.path.isfile(os.path.join(HERE, "notebook-checks", stem + ".py")), stem)
                self.assertIn(stem.removesuffix("-solutions"), _labs.EXERCISES)

    def test_solutions_pass_only_when_every_exercise_is_correct(self):
        for lab, exercises in _labs.EXERCISES.items():
            script = lab + "-solutions.py"
            right = [f"correct: {e}" for e in exercises]
            self.assertEqual(self.run_check(script, notebook(["some figure 0.91"] + right))[0], 0, lab)
            wrong = right[:-1] + [f"not yet: {exercises[-1]} (a hint, with a comma)"]
            rc, err = self.run_check(script, notebook(wrong))
            self.assertEqual(rc, 1, lab)
            self.assertIn(exercises[-1], err)
            self.assertEqual(self.run_check(script, notebook(right[1:]))[0], 1, lab + ": a check printed nothing")
            self.assertEqual(self.run_check(script, notebook(right + right[:1]))[0], 1, lab + ": printed twice")
            self.assertEqual(self.run_check(script, notebook(right, error=True))[0], 1, lab + ": an error output")

    def test_student_notebooks_pass_only_when_every_exercise_is_not_yet(self):
        for lab, exercises in _labs.EXERCISES.items():
            unanswered = [f"not yet: {e} (hint)" for e in exercises]
            self.assertEqual(self.run_check(lab + ".py", notebook(unanswered))[0], 0, lab)
            self.assertEqual(self.run_check(lab + ".py", notebook([f"correct: {exercises[0]}"] + unanswered[1:]))[0],
                             1, lab + ": a check that passes on the TODO stub")
            self.assertEqual(self.run_check(lab + ".py", notebook(unanswered, error=True))[0], 1, lab)

    def test_lab_2_fails_when_full_fine_tuning_gave_no_number(self):
        right = [f"correct: {e}" for e in _labs.EXERCISES["02-smallest-rank"]]
        nan = "full fine-tuning: accuracy NaN with 71,749 trainable parameters"
        for script in ["02-smallest-rank-solutions.py", "02-smallest-rank.py"]:
            rc, err = self.run_check(script, notebook(right, reference=nan))
            self.assertEqual(rc, 1, script)
            self.assertIn("full fine-tuning", err)
        stopped = ["full fine-tuning stopped early: loss became NaN at step 7"] + right
        self.assertEqual(self.run_check("02-smallest-rank-solutions.py", notebook(stopped))[0], 1)


if __name__ == "__main__":
    unittest.main()
