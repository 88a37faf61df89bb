#!/usr/bin/env python3
"""Writes instructions.jsonl: short instruction/response pairs made from fixed tables with a fixed seed.

Every response follows from its prompt by a simple rule (arithmetic, a table lookup), so a small model fine-tuned
on the file visibly picks up the answer patterns. Run from this folder: python3 make_instructions.py
"""
import json
import random

SEED = 11
CAPITALS = {"France": "Paris", "Italy": "Rome", "Spain": "Madrid", "Germany": "Berlin", "Japan": "Tokyo",
            "Canada": "Ottawa", "Egypt": "Cairo", "Kenya": "Nairobi", "Peru": "Lima", "Chile": "Santiago",
            "Norway": "Oslo", "Sweden": "Stockholm", "Poland": "Warsaw", "Greece": "Athens", "Cuba": "Havana",
            "Ireland": "Dublin", "Portugal": "Lisbon", "Austria": "Vienna", "India": "New Delhi", "China": "Beijing"}
OPPOSITES = {"hot": "cold", "big": "small", "fast": "slow", "up": "down", "early": "late", "happy": "sad",
             "light": "dark", "open": "closed", "full": "empty", "strong": "weak", "old": "new", "high": "low",
             "wet": "dry", "hard": "soft", "loud": "quiet", "near": "far", "rich": "poor", "thick": "thin"}
COLORS = {"banana": "yellow", "lemon": "yellow", "grass": "green", "leaf": "green", "sky": "blue",
          "sea": "blue", "snow": "white", "milk": "white", "coal": "black", "night": "black", "tomato": "red",
          "strawberry": "red", "orange": "orange", "carrot": "orange", "plum": "purple", "grape": "purple"}
PLURALS = {"cat": "cats", "dog": "dogs", "box": "boxes", "child": "children", "mouse": "mice", "city": "cities",
           "leaf": "leaves", "man": "men", "foot": "feet", "tooth": "teeth", "book": "books", "bus": "buses",
           "baby": "babies", "knife": "knives", "sheep": "sheep", "fish": "fish", "wolf": "wolves", "day": "days"}


def pairs(rng):
    out = []
    for country, city in CAPITALS.items():
        out.append(("What is the capital of %s?" % country, "The capital of %s is %s." % (country, city)))
    for word, opp in OPPOSITES.items():
        out.append(("What is the opposite of %s?" % word, "The opposite of %s is %s." % (word, opp)))
        out.append(("What is the opposite of %s?" % opp, "The opposite of %s is %s." % (opp, word)))
    for thing, color in COLORS.items():
        out.append(("What color is %s %s?" % ("an" if thing[0] in "aeiou" else "a", thing),
                    "A %s is %s." % (thing, color)))
    for word, plural in PLURALS.items():
        out.append(("What is the plural of %s?" % word, "The plural of %s is %s." % (word, plural)))
    sums = [(a, b) for a in range(1, 21) for b in range(1, 21)]
    for a, b in rng.sample(sums, 120):
        out.append(("What is %d plus %d?" % (a, b), "%d plus %d is %d." % (a, b, a + b)))
    for word in sorted(set(OPPOSITES) | set(OPPOSITES.values()) | set(PLURALS)):
        out.append(("Spell the word %s backwards." % word, "%s backwards is %s." % (word, word[::-1])))
    unique = list(dict.fromkeys(out))
    rng.shuffle(unique)
    return unique


def main():
    rng = random.Random(SEED)
    rows = pairs(rng)
    with open("instructions.jsonl", "w", encoding="utf-8") as f:
        for prompt, response in rows:
            f.write(json.dumps({"prompt": prompt, "response": response}) + "\n")
    print("wrote %d pairs" % len(rows))


if __name__ == "__main__":
    main()
