"""Differential test of igny8_template_render against Python's own str.format.

For every template and variables object that Python accepts within the subset (named
placeholders, "{{" and "}}", values that are strings, numbers or booleans), the library
must give exactly the bytes of template.format(**json.loads(variables)); where Python
raises (a missing variable, a single brace), the library must give IGNY8_EINVAL.

Run by CTest as python_template_differential, with IGNY8_LIBRARY set to the built
libigny8settings.so. Standard library only.
"""
import ctypes
import json
import os
import random
import struct
import unittest

IGNY8_EINVAL = -2
SEED = 20240611
CASES = 2000


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char_p), ("field", ctypes.c_char_p)]


def _load_library():
    path = os.environ.get("IGNY8_LIBRARY")
    if not path:
        raise RuntimeError("IGNY8_LIBRARY is not set: it must name the built libigny8settings.so")
    lib = ctypes.CDLL(path)
    lib.igny8_template_render.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.igny8_template_render.restype = ctypes.c_int
    lib.igny8_free.argtypes = [ctypes.c_void_p]
    lib.igny8_free.restype = None
    lib.igny8_error_last.argtypes = []
    lib.igny8_error_last.restype = ctypes.POINTER(_Error)
    return lib


LIB = _load_library()


def render(template, variables):
    """(True, bytes) on success, (False, (code, field, message)) on error."""
    out = ctypes.c_void_p()
    rc = LIB.igny8_template_render(template.encode("utf-8"),
                                   None if variables is None else variables.encode("utf-8"),
                                   ctypes.byref(out))
    if rc != 0:
        err = LIB.igny8_error_last().contents
        field = err.field.decode("utf-8", "replace") if err.field else None
        return False, (rc, field, err.message.decode("utf-8", "replace"))
    try:
        return True, ctypes.string_at(out.value)
    finally:
        LIB.igny8_free(out)


def python_render(template, variables):
    """(True, bytes) or (False, exception) for Python's own rendering."""
    try:
        values = json.loads(variables) if variables is not None else {}
        return True, template.format(**values).encode("utf-8")
    except (KeyError, ValueError, IndexError) as e:
        return False, e


# ---- generators ----

NAMES = ["a", "b", "name", "topic", "_x", "Title2", "k_9"]
TEXT_PIECES = ["Write ", "about ", "the ", "prompt", ". ", ", ", "\n", "\n\n", "  ", "\t", "\"quoted\"",
               "back\\slash", "é", "日本語", "🙂", "—", "naïve ", "Ωmega", "\r\n", "{{", "}}", "{{}}", "%s", "$x"]
STRING_PIECES = ["x", "Hello", " ", "{a}", "{{", "}}", "{", "}", "{name}", "é", "世界", "🙂", "\n", "\t",
                 "\"", "\\", "/", "\x01", "\u2028", "\x7f", "ü", "{{b}}", "%d"]
RAW_NUMBERS = ["1E5", "-0", "-0.0", "0.0", "1e400", "-1e400", "1e-400", "-1e-400", "0.1e-3", "2.5E+300",
               "123456789012345678901234567890", "-98765432109876543210", "1e16", "1e15", "5e-324", "1.0"]


def random_float(rng):
    kind = rng.randrange(6)
    if kind == 0:  # any bit pattern that is a finite double
        while True:
            x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if x == x and abs(x) != float("inf"):
                return x
    if kind == 1:  # integral floats
        return float(rng.randint(-10 ** 18, 10 ** 18))
    if kind == 2:  # around the fixed/exponent switch points
        return rng.choice([1, -1]) * rng.uniform(1, 10) * 10.0 ** rng.choice([-6, -5, -4, -3, 14, 15, 16, 17])
    if kind == 3:  # tiny and huge exponents
        return rng.uniform(1, 10) * 10.0 ** rng.randint(-320, 300)
    if kind == 4:  # short decimals
        return round(rng.uniform(-1000, 1000), rng.randint(0, 6))
    return rng.choice([0.1, 0.2 + 0.1, 1.0, 100000.0, 1e16, 1e-5, 1.5e-7, -0.0, 0.0, 3.14159, 2.5e-300])


def random_value(rng):
    kind = rng.randrange(7)
    if kind <= 1:
        return "".join(rng.choice(STRING_PIECES) for _ in range(rng.randint(0, 6)))
    if kind == 2:
        return rng.randint(-1000, 1000)
    if kind == 3:
        return rng.choice([1, -1]) * rng.randint(0, 10 ** rng.randint(1, 300))
    if kind <= 5:
        return random_float(rng)
    return rng.choice([True, False])


def random_template(rng, names):
    parts = []
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.4 and names:
            parts.append("{%s}" % rng.choice(names))
        else:
            parts.append(rng.choice(TEXT_PIECES))
    return "".join(parts)


def member(key, value_text):
    return json.dumps(key, ensure_ascii=False) + ":" + value_text


def random_variables(rng, used):
    """A JSON object text: most used names (some may be missing), maybe extra ones,
    sometimes duplicate keys and raw number literals written by hand."""
    names = [n for n in NAMES if (n in used and rng.random() < 0.95) or rng.random() < 0.2]
    if rng.random() < 0.6:
        values = {n: random_value(rng) for n in names}
        return json.dumps(values, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
    members = []
    for n in names:
        for _ in range(rng.choice([1, 1, 2, 3])):  # duplicates: the last one counts
            if rng.random() < 0.3:
                members.append(member(n, rng.choice(RAW_NUMBERS)))
            else:
                members.append(member(n, json.dumps(random_value(rng), ensure_ascii=rng.random() < 0.5)))
    rng.shuffle(members)
    return "{" + rng.choice([",", ", ", ",\n "]).join(members) + "}"


def break_template(rng, template):
    """Insert a single brace somewhere: Python raises (or misses a key), and so must we."""
    at = rng.randint(0, len(template))
    return template[:at] + rng.choice(["{", "}"]) + template[at:]


class TemplateDifferentialTest(unittest.TestCase):
    def check(self, template, variables, failures):
        ok, ours = render(template, variables)
        py_ok, theirs = python_render(template, variables)
        if py_ok and (not ok or ours != theirs):
            failures.append("template %r variables %r: ours %r, Python %r" % (template, variables, ours, theirs))
        elif not py_ok and (ok or ours[0] != IGNY8_EINVAL):
            failures.append("template %r variables %r: ours %r, Python raised %r" %
                            (template, variables, ours, theirs))
        return py_ok

    def test_random_cases_match_python(self):
        rng = random.Random(SEED)
        failures, accepted = [], 0
        for _ in range(CASES):
            template = random_template(rng, NAMES)
            used = [n for n in NAMES if "{%s}" % n in template]
            variables = random_variables(rng, used) if rng.random() < 0.95 else None
            if rng.random() < 0.08:
                template = break_template(rng, template)
            accepted += self.check(template, variables, failures)
        self.assertEqual(failures[:10], [], "%d of %d cases differ" % (len(failures), CASES))
        self.assertGreater(accepted, CASES * 0.6)  # most cases render: the comparison is real

    def check_floats(self, values):
        failures = []
        for start in range(0, len(values), 400):
            chunk = values[start:start + 400]
            template = "|".join("{v%d}" % i for i in range(len(chunk)))
            variables = json.dumps({"v%d" % i: x for i, x in enumerate(chunk)})
            self.check(template, variables, failures)
        self.assertEqual(failures[:3], [])

    def test_powers_of_two_and_neighbours(self):
        # next to a power of two the decimals that read back are asymmetric: the
        # correctly rounded digits may not read back while the next ones do
        values = []
        for e in range(-1074, 1024):
            bits = struct.unpack("<Q", struct.pack("<d", 2.0 ** e))[0]
            for delta in (-1, 0, 1):
                if 0 < bits + delta < 0x7FF0000000000000:
                    values.append(struct.unpack("<d", struct.pack("<Q", bits + delta))[0])
        self.check_floats(values + [-v for v in values[::7]])

    def test_random_doubles(self):
        rng = random.Random(SEED + 1)
        self.check_floats([random_float(rng) for _ in range(20000)])

    def test_subset_refusals(self):
        # deliberate differences, outside the subset: other JSON types and format specs
        # are refused although Python would render them
        for text, variables, field in [("{a}", '{"a":null}', "a"), ("{a}", '{"a":[1]}', "a"),
                                       ("x", '{"unused":{}}', "unused"), ("{a!r}", '{"a":1}', "template"),
                                       ("{a:>4}", '{"a":1}', "template"), ("{0}", "{}", "template")]:
            ok, ours = render(text, variables)
            self.assertFalse(ok, text)
            self.assertEqual(ours[:2], (IGNY8_EINVAL, field), text)


if __name__ == "__main__":
    unittest.main()
