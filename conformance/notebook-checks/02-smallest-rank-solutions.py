#!/usr/bin/python3
"""Checks an EXECUTED notebooks/labs/02-smallest-rank-solutions.ipynb: every exercise's check cell printed `correct` and no
cell failed; full fine-tuning, the reference, printed a finite accuracy. Exit 1 with one line per problem."""
import _labs

if __name__ == "__main__":
    _labs.main(lambda nb: _labs.problems(nb, _labs.EXERCISES["02-smallest-rank"], "correct")
               + _labs.full_fine_tuning_problems(nb))
