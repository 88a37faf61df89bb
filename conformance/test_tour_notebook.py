"""Executes notebooks/00-kernel-tour.ipynb with the installed `loralab` kernel (nbclient, as nbconvert does)
and checks what each cell produced. Run with /usr/bin/python3 and JUPYTER_PATH set (`./loralab test` does)."""
import base64
import os
import unittest

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notebooks")
TOUR = os.path.join(NOTEBOOKS, "00-kernel-tour.ipynb")


class TourNotebookTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        nb = nbformat.read(TOUR, as_version=4)
        cls.committed = nbformat.read(TOUR, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="loralab",
                       resources={"metadata": {"path": NOTEBOOKS}}).execute()
        cls.cells = {c["id"]: c for c in nb.cells}

    def outputs(self, cell_id, output_type=None):
        outs = self.cells[cell_id]["outputs"]
        return [o for o in outs if output_type is None or o["output_type"] == output_type]

    def result_text(self, cell_id):
        results = self.outputs(cell_id, "execute_result")
        self.assertEqual(len(results), 1, self.cells[cell_id]["outputs"])
        return results[0]["data"]["text/plain"]

    def test_committed_without_outputs(self):
        for cell in self.committed.cells:
            if cell.cell_type == "code":
                self.assertEqual(cell.outputs, [], cell.id)
                self.assertIsNone(cell.execution_count, cell.id)
        self.assertEqual(self.committed.metadata.kernelspec.name, "loralab")

    def test_prints_and_result(self):
        streams = self.outputs("hello", "stream")
        self.assertEqual([s["text"] for s in streams], ["hello, notebook\n"])
        self.assertEqual(self.result_text("hello"), "42")

    def test_html_table(self):
        shown = self.outputs("table", "display_data")
        self.assertEqual(len(shown), 1)
        html = shown[0]["data"]["text/html"]
        self.assertIn("<table>", html)
        self.assertIn("<td>4</td><td>16</td>", html)
        self.assertEqual(self.outputs("table", "execute_result"), [], "a trailing ';' hides display()'s id")

    def test_png_image(self):
        result = self.outputs("image", "execute_result")[0]
        png = base64.b64decode(result["data"]["image/png"])
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")

    def test_updated_display_shows_last_value(self):
        shown = self.outputs("update", "display_data")
        self.assertEqual(len(shown), 1)
        self.assertEqual(shown[0]["data"]["text/html"], "<p>step 3 of 3</p>")

    def test_maven_library_usable_in_same_cell(self):
        self.assertEqual(self.result_text("maven"), "Lora lab")
        self.assertTrue(any("commons-lang3" in s["text"] for s in self.outputs("maven", "stream")))

    def test_error_then_next_cell_runs(self):
        errors = self.outputs("error", "error")
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0]["ename"], "NumberFormatException")
        self.assertIn("not a number", errors[0]["evalue"])
        self.assertFalse(any("org.loralab.kernel" in line for line in errors[0]["traceback"]))
        self.assertEqual(self.result_text("survive"), "still alive, answer = 42")

    def test_time_magic(self):
        self.assertTrue(self.outputs("time", "stream")[0]["text"].startswith("Wall time: "))
        self.assertEqual(self.result_text("time"), "500000500000")


if __name__ == "__main__":
    unittest.main()
