"""A seeded fuzz run against the kernel over jupyter_client: a few hundred generated cells (valid code, syntax errors,
runtime faults, large inputs, loops stopped by interrupts, threads, stream abuse, magics with garbage options, exit
calls, state checks). Fails on a kernel death, a hang (no reply in time), an `ok` where an error is due, an error
where `ok` is due, a lost variable, or a traceback of more than 40 lines.

LORALAB_FUZZ_SEED picks the seed (default 12), LORALAB_FUZZ_CELLS the number of cells (default 300).
Run with /usr/bin/python3 and JUPYTER_PATH pointing at an installed `loralab` kernelspec (`./loralab test` does both)."""
import os
import random
import string
import time
import unittest

import kernel_harness as h

SEED = int(os.environ.get("LORALAB_FUZZ_SEED", "12"))
CELLS = int(os.environ.get("LORALAB_FUZZ_CELLS", "300"))
REPLY_TIMEOUT = 20
MAX_TRACEBACK = 40
OK, ERROR, EITHER = "ok", "error", "either"


class Case:
    def __init__(self, kind, code, expect, ename=None, result=None, interrupt_after=None):
        self.kind, self.code, self.expect, self.ename = kind, code, expect, ename
        self.result, self.interrupt_after = result, interrupt_after


def java_int(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


class Generator:
    def __init__(self, rng):
        self.rng = rng
        self.kept = {}  # variables declared by earlier cells and the value they must still have

    def name(self, prefix="v"):
        return prefix + "".join(self.rng.choice(string.ascii_lowercase) for _ in range(6))

    def valid(self):
        r = self.rng
        a, b, c = r.randint(-1000, 1000), r.randint(-1000, 1000), r.randint(1, 50)
        choice = r.randrange(5)
        if choice == 0:
            return Case("valid", f"{a} + {b} * {c}", OK, result=str(java_int(a + b * c)))
        if choice == 1:
            n = self.name()
            self.kept[n] = a
            return Case("valid", f"int {n} = {a};", OK)
        if choice == 2:
            return Case("valid", f'"x".repeat({c}).length()', OK, result=str(c))
        if choice == 3:
            return Case("valid", f"java.util.stream.IntStream.range(0, {c}).sum()", OK, result=str(sum(range(c))))
        return Case("valid", f"int a{c} = 20\n% 7;\na{c}", OK, result="6")

    def syntax(self):
        bad = ["int x = ;", "foo(;", "}", "class { }", "int 3x = 1;", "@#$%^", "String s = \"unterminated;",
               "for (int i = 0; i < 3; i++) } {", "return return;", "int[] a = {1, 2,,};", "x ->-> y;",
               "void m() { int y = 1 }", "new int[];", "if () {}", "char c = 'ab';"]
        return Case("syntax", self.rng.choice(bad), ERROR)

    def fault(self):
        faults = [("1 / 0", "ArithmeticException"), ("Object o = null; o.toString();", "NullPointerException"),
                  ("new int[-1]", "NegativeArraySizeException"), ('Integer.parseInt("x")', "NumberFormatException"),
                  ("new int[2][5]", None), ("int[] arr = new int[2]; arr[5] = 1;", "ArrayIndexOutOfBoundsException"),
                  ('Object s = "s"; Integer i = (Integer) s;', "ClassCastException"),
                  ('throw new Error("deliberate")', "Error"), ("throw new RuntimeException();", "RuntimeException"),
                  ("int down(int n) { return down(n + 1); }\ndown(0)", "StackOverflowError"),
                  ("class Bad extends RuntimeException { public String getMessage() { throw new IllegalStateException(); } }\n"
                   "throw new Bad();", "Bad"),
                  ("System.exit(0);", "ExitRefusedException"), ("Runtime.getRuntime().halt(3);", "ExitRefusedException"),
                  ("java.util.List.of(1).add(2);", "UnsupportedOperationException")]
        code, ename = self.rng.choice(faults)
        return Case("fault", code, OK if ename is None else ERROR, ename=ename)

    def large(self):
        r = self.rng
        choice = r.randrange(5)
        if choice == 0:
            return Case("large", 'String big = "' + "a" * r.randint(66_000, 120_000) + '";', ERROR,
                        ename="SourceLimitException")
        if choice == 1:
            n = r.randint(1_000, 60_000)
            return Case("large", '"' + "b" * n + '".length()', OK, result=str(n))
        if choice == 2:
            lines = r.randint(20, 120)
            return Case("large", "\n".join(f"int l{i} = {i};" for i in range(lines)) + f"\nl{lines - 1}", OK,
                        result=str(lines - 1))
        if choice == 3:
            return Case("large", "// " + "z" * r.randint(10_000, 200_000) + "\n1", OK, result="1")
        return Case("large", "int q = " + "+".join(["1"] * r.randint(50, 400)) + ";", OK)

    def loop(self):
        loops = ["while (true) { }", "Thread.sleep(100_000);", "while (true) { try { while (true) { } } catch (Throwable t) { } }",
                 "long n = 0; while (true) { n++; if (n % 1000 == 0) System.out.print(\"\"); }",
                 'String id = display("0", "text/plain"); for (int i = 0; ; i++) updateDisplay(id, "" + i, "text/plain");',
                 "while (true) java.util.concurrent.locks.LockSupport.park();", "new Object() { void spin() { for (;;) { } } }.spin();"]
        return Case("loop", self.rng.choice(loops), ERROR, ename="EvaluationInterruptedException",
                    interrupt_after=self.rng.choice([0.0, 0.02, 0.05, 0.1, 0.3]))

    def threads(self):
        codes = ['new Thread(() -> System.out.println("bg")).start();',
                 'new Thread(() -> { throw new RuntimeException("in a thread"); }).start();',
                 "var pool = java.util.concurrent.Executors.newFixedThreadPool(2); pool.submit(() -> 1); pool.shutdown();",
                 "java.util.stream.IntStream.range(0, 1000).parallel().map(x -> x * 2).sum()",
                 'Thread t = new Thread(() -> { while (true) { try { Thread.sleep(50); } catch (InterruptedException e) { return; } } }); t.setDaemon(true); t.start(); t.interrupt();']
        return Case("threads", self.rng.choice(codes), OK)

    def streams(self):
        codes = [("System.out.close();", OK), ("System.err.close();", OK),
                 ("System.out.write(new byte[]{(byte) 0xff, (byte) 0xfe, 65}); System.out.flush();", OK),
                 ('System.out.print("\\0\\u0007\\r");', OK), ('System.err.println("x".repeat(100_000));', OK),
                 ("System.in.read()", OK), ("System.out.checkError()", OK), ("System.setOut(null);", EITHER),
                 ('System.out.printf("%s %d%n", "a", 1);', OK)]
        code, expect = self.rng.choice(codes)
        return Case("streams", code, expect)

    def magic(self):
        r = self.rng
        junk = "".join(r.choice(string.ascii_letters + string.digits + " :*/.-=~$'\"") for _ in range(r.randint(0, 30)))
        cases = [(f"%classpath {junk}", EITHER), (f"%jars /nonexistent/{junk.replace(':', '')}", ERROR), (f"%load {junk}", ERROR),
                 (f"%maven {junk} --offline", ERROR), (f"%mavenRepo {junk}", EITHER), (f"%zz{r.randint(0, 99)} {junk}", ERROR),
                 (f"%%zz{r.randint(0, 99)}\n{junk}", ERROR), (f"%%time\n{r.randint(0, 9)} + 1", OK),
                 ("%time", EITHER), ("%load /dev/null", ERROR), ("%classpath /dev/zero", ERROR), ("%classpath", OK)]
        code, expect = r.choice(cases)
        return Case("magic", code, expect)

    def state_check(self):
        if not self.kept:
            return self.valid()
        n = self.rng.choice(sorted(self.kept))
        return Case("state", n, OK, result=str(self.kept[n]))

    def next(self):
        kinds = [(self.valid, 20), (self.syntax, 10), (self.fault, 14), (self.large, 6), (self.loop, 6),
                 (self.threads, 6), (self.streams, 8), (self.magic, 16), (self.state_check, 10)]
        makers = [m for m, w in kinds for _ in range(w)]
        return self.rng.choice(makers)()


class KernelFuzzTest(unittest.TestCase):
    def test_generated_cells(self):
        rng = random.Random(SEED)
        gen = Generator(rng)
        km, kc = h.start(heap="512m")
        problems = []
        started = time.monotonic()
        try:
            for i in range(CELLS):
                case = gen.next()
                problem = self.run_case(km, kc, case)
                if problem:
                    problems.append(f"cell {i} ({case.kind}) {case.code[:120]!r}: {problem}")
                    if not km.is_alive():
                        problems.append("the kernel died; stopping")
                        break
                if i % 50 == 49 and not h.alive(km, kc):
                    problems.append(f"after cell {i}: the kernel does not answer 1 + 1")
                    break
            if km.is_alive() and not h.alive(km, kc):
                problems.append("the kernel does not answer 1 + 1 at the end")
        finally:
            h.stop(km, kc)
        elapsed = time.monotonic() - started
        self.assertFalse(problems, f"seed {SEED}, {len(problems)} problems in {elapsed:.0f} s:\n" + "\n".join(problems))

    def run_case(self, km, kc, case):
        h.drain(kc)
        msg_id = kc.execute(case.code, allow_stdin=False)
        if case.interrupt_after is not None:
            time.sleep(case.interrupt_after)
            km.interrupt_kernel()
        try:
            reply = h.reply_to(kc, msg_id, REPLY_TIMEOUT)["content"]
            outputs = h.outputs_of(kc, msg_id, REPLY_TIMEOUT)
        except Exception as e:  # noqa: BLE001 (any failure to answer is the finding)
            return f"no reply within {REPLY_TIMEOUT} s ({type(e).__name__})"
        status = reply["status"]
        if case.expect == OK and status != "ok":
            return f"expected ok, got {reply.get('ename')}: {reply.get('evalue', '')[:200]}"
        if case.expect == ERROR and status != "error":
            return "expected an error, got ok"
        if status == "error":
            if case.ename and reply["ename"] != case.ename:
                return f"expected {case.ename}, got {reply['ename']}: {reply.get('evalue', '')[:200]}"
            if len(reply["traceback"]) > MAX_TRACEBACK:
                return f"traceback of {len(reply['traceback'])} lines"
        if case.result is not None and status == "ok" and h.result_text(outputs) != [case.result]:
            return f"expected result {case.result}, got {h.result_text(outputs)}"
        return None


if __name__ == "__main__":
    unittest.main()
