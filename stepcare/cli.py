"""The `stepcare` command: evaluate cases from JSON files and list the knowledge base.

Input errors print `path: problem` lines and exit 2, without a traceback: the people running this
are clinicians and integrators, not Python programmers.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

import orjson

from stepcare.clinical import CaseError, KnowledgeError, evaluate, load_knowledge, parse_case
from stepcare.clinical.case import Case
from stepcare.clinical.result import Evaluation

EXIT_INVALID = 2
EXIT_KNOWLEDGE = 3


def _dump(obj: Any, *, pretty: bool) -> str:
    if pretty:
        return json.dumps(obj, indent=2, ensure_ascii=False)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _dump_line(obj: Any) -> bytes:
    """One compact JSON line as UTF-8 bytes: the same JSON as `_dump(obj, pretty=False)`, much faster.

    orjson writes floats in their shortest round-trip form, like `json`; anything it refuses (an integer
    beyond 64 bits, say) falls back to the standard library so the output never changes in content.
    """
    try:
        return orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (_dump(obj, pretty=False) + "\n").encode("utf-8")


def _read(path: str) -> str | bytes:
    """The file's bytes (or standard input's): decoding is left to the JSON parser, which names bad bytes."""
    if path == "-":
        stdin = getattr(sys.stdin, "buffer", sys.stdin)
        data: str | bytes = stdin.read()
        return data
    with open(path, "rb") as fh:
        return fh.read()


def _case_errors(raw: str | bytes) -> tuple[Any, list[str]]:
    """Parse JSON text into a case; returns (id or None, errors) when it is invalid."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        return None, [f"(byte {exc.start + 1}): not valid UTF-8 text; save the file as UTF-8"]
    except json.JSONDecodeError as exc:
        return None, [f"(line {exc.lineno}, column {exc.colno}): not valid JSON: {exc.msg}"]
    case_id = data.get("id") if isinstance(data, dict) else None
    try:
        parse_case(data)
    except CaseError as exc:
        return case_id, exc.errors
    return case_id, []


# Case.model_validate_json without its per-call keyword checks (the same validator, the same result)
_validate_case_json: Callable[[str | bytes], Case] = Case.__pydantic_validator__.validate_json


def _evaluate_case(raw: str | bytes, *, mme_table: str) -> Evaluation:
    """Fast path: pydantic parses the JSON itself; the slow path only runs to word the errors."""
    try:
        case = _validate_case_json(raw)
    except ValueError:
        case_id, errors = _case_errors(raw)
        raise _Invalid(case_id, errors) from None
    try:
        return evaluate(case, mme_table=mme_table)
    except CaseError as exc:
        raise _Invalid(case.id, exc.errors) from None
    except ValueError as exc:  # e.g. a medication the chosen MME table does not cover
        raise _Invalid(case.id, [str(exc)]) from None


def _evaluate_text(raw: str | bytes, *, mme_table: str) -> dict[str, Any]:
    return _evaluate_case(raw, mme_table=mme_table).to_dict()


def _dump_evaluation(evaluation: Evaluation) -> bytes:
    """`_dump_line(evaluation.to_dict())`, written from `json_ready()` (the same JSON, less copying)."""
    try:
        return orjson.dumps(evaluation.json_ready(), option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return _dump_line(evaluation.to_dict())


class _Invalid(Exception):
    def __init__(self, case_id: Any, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.case_id = case_id
        self.errors = errors


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.batch:
        return _batch(args)
    if not args.case:
        print(
            "stepcare evaluate: give a CASE.json file, - for standard input, or --batch CASES.jsonl",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        raw = _read(args.case)
    except OSError as exc:
        print(f"{args.case}: cannot read ({exc.strerror})", file=sys.stderr)
        return EXIT_INVALID
    try:
        result = _evaluate_text(raw, mme_table=args.mme_table)
    except _Invalid as exc:
        print(f"invalid case{f' {exc.case_id!r}' if exc.case_id else ''}:", file=sys.stderr)
        for err in exc.errors:
            print(f"  {err}", file=sys.stderr)
        return EXIT_INVALID
    print(_dump(result, pretty=args.pretty))
    return 0


def _binary_stdout() -> tuple[Callable[[bytes], Any], Callable[[], None]]:
    """`write` and `flush` for standard output in bytes, through a 1 MiB buffer.

    Batch output is about 7 KB per case: Python's own 8 KB buffer made a system call for nearly every
    case, which cost a tenth of a 100,000-case run written to a file.
    """
    sys.stdout.flush()
    try:
        out = open(sys.stdout.fileno(), "wb", buffering=1 << 20, closefd=False)  # noqa: SIM115
    except (AttributeError, OSError, ValueError):  # no file descriptor (tests, embedding): write through
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            return buffer.write, buffer.flush
        return lambda b: sys.stdout.write(b.decode("utf-8")), sys.stdout.flush
    return out.write, out.flush


def _batch(args: argparse.Namespace) -> int:
    # lines are read as bytes: pydantic parses UTF-8 JSON itself, with no str made first
    try:
        stream: IO[Any] = (
            getattr(sys.stdin, "buffer", sys.stdin) if args.batch == "-" else open(args.batch, "rb")  # noqa: SIM115
        )
    except OSError as exc:
        print(f"{args.batch}: cannot read ({exc.strerror})", file=sys.stderr)
        return EXIT_INVALID
    invalid = 0
    total = 0
    write, flush = _binary_stdout()
    progress = args.progress and sys.stderr.isatty()
    mme_table = args.mme_table
    evaluate_case = _evaluate_case
    dump_evaluation = _dump_evaluation
    # The knowledge base is loaded and lives for the whole run: keep the cyclic garbage collector from
    # walking it again and again (evaluations allocate many short-lived objects, none of them cyclic).
    gc.freeze()
    with stream:
        for line in stream:
            if not line.strip():
                continue
            total += 1
            try:
                write(dump_evaluation(evaluate_case(line, mme_table=mme_table)))
            except _Invalid as exc:
                invalid += 1
                write(_dump_line({"id": exc.case_id, "errors": exc.errors}))
            if progress and total % 1000 == 0:
                print(f"\r{total} cases evaluated, {invalid} invalid", end="", file=sys.stderr)
    flush()
    if progress:
        print(f"\r{total} cases evaluated, {invalid} invalid", file=sys.stderr)
    if invalid:
        print(f"{invalid} of {total} cases were invalid (see their 'errors')", file=sys.stderr)
        return EXIT_INVALID
    return 0


def cmd_knowledge(args: argparse.Namespace) -> int:
    from stepcare.clinical.catalog import knowledge_summary

    summary = knowledge_summary()
    if args.json:
        print(_dump(summary, pretty=True))
        return 0
    print(f"Stepcare knowledge base {summary['knowledge_version']}")
    print(f"\nConditions ({len(summary['conditions'])}):")
    for item in summary["conditions"]:
        print(f"  {item['code']:<32} {item['label']}")
        for icd in item["icd10cm"]:
            print(f"      ICD-10-CM {icd['code']:<8} {icd['description']}")
    print(f"\nPlan steps ({len(summary['steps'])}):")
    for item in summary["steps"]:
        print(f"  tier {item['tier']!s:<11} {item['code']:<32} {item['label']}")
    print(f"\nSources ({len(summary['sources'])}):")
    for item in summary["sources"]:
        print(f"  {item['key']:<12} {item['label']}")
    print(f"\nFiles: {', '.join(f['name'] for f in summary['files'])}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepcare",
        description="Stepcare clinical decision support engine (for licensed clinicians).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="evaluate a case (JSON) and print the evaluation (JSON)")
    ev.add_argument("case", nargs="?", help="CASE.json, or - for standard input")
    ev.add_argument("--batch", metavar="CASES.jsonl", help="one case per line; one evaluation per line out")
    ev.add_argument(
        "--mme-table", default="cdc-2022", help="MME conversion table: cdc-2022 (default) or cdc-2016"
    )
    ev.add_argument("--pretty", action="store_true", help="indent the JSON output")
    ev.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress line in batch mode"
    )
    ev.set_defaults(func=cmd_evaluate)
    kn = sub.add_parser(
        "knowledge", help="list the knowledge base: conditions (ICD-10-CM codes), steps, sources, version"
    )
    kn.add_argument("--json", action="store_true", help="print JSON instead of text")
    kn.set_defaults(func=cmd_knowledge)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        load_knowledge()
        if getattr(args, "mme_table", None) is not None:
            from stepcare.clinical.medications import MME_TABLES

            if args.mme_table not in MME_TABLES:
                print(
                    f"--mme-table: unknown table {args.mme_table!r} (known: {', '.join(MME_TABLES)})",
                    file=sys.stderr,
                )
                return EXIT_INVALID
        code: int = args.func(args)
    except KnowledgeError as exc:
        print(f"stepcare: the knowledge base is broken: {exc}", file=sys.stderr)
        return EXIT_KNOWLEDGE
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
