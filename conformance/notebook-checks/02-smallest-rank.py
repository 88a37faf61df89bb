#!/usr/bin/python3
"""Checks an EXECUTED notebooks/labs/02-smallest-rank.ipynb (the student version, exercises unanswered): it runs to the end
without an error output and every check cell prints `not yet` (a check that passed on the TODO stubs could not
catch a wrong answer); full fine-tuning, the reference, printed a finite accuracy. Exit 1 with one line per problem."""
import _labs

if __name__ == "__main__":
    _labs.main(lambda nb: _labs.problems(nb, _labs.EXERCISES["02-smallest-rank"], "not yet")
               + _labs.full_fine_tuning_problems(nb))
