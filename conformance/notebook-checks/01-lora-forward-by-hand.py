#!/usr/bin/python3
"""Checks an EXECUTED notebooks/labs/01-lora-forward-by-hand.ipynb (the student version, exercises unanswered): it runs to the end
without an error output and every check cell prints `not yet` (a check that passed on the TODO stubs could not
catch a wrong answer). Exit 1 with one line per problem."""
import _labs

if __name__ == "__main__":
    _labs.main(lambda nb: _labs.problems(nb, _labs.EXERCISES["01-lora-forward-by-hand"], "not yet"))
