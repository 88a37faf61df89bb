#!/usr/bin/python3
"""Checks an EXECUTED notebooks/labs/01-lora-forward-by-hand-solutions.ipynb: every exercise's check cell printed `correct` and no
cell failed. Exit 1 with one line per problem."""
import _labs

if __name__ == "__main__":
    _labs.main(lambda nb: _labs.problems(nb, _labs.EXERCISES["01-lora-forward-by-hand"], "correct"))
