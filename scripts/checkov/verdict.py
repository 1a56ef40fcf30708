"""Reads checkov's JSON report (argv[1]) and decides: every finding must be a check listed
in the skip file (argv[2]), every template rendered into the directory argv[3] must have
been scanned, and every listed check must still be found somewhere (else the list is
stale). Prints what is wrong and exits 1, or prints a one-line summary."""

import json
import pathlib
import sys


def skip_list(path):
    ids = []
    for line in pathlib.Path(path).read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            ids.append(entry)
    return ids


def main():
    report, skip_file, out = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    data = json.loads(pathlib.Path(report).read_text())
    reports = data if isinstance(data, list) else [data]
    results = [r for r in reports if r.get("check_type") == "cloudformation"]
    if len(results) != 1:
        sys.exit(f"checkov: no CloudFormation results in its report ({report})")
    r = results[0]
    summary = r["summary"]
    failed = r["results"]["failed_checks"]
    passed = r["results"]["passed_checks"]
    skips = skip_list(skip_file)
    problems = []
    if summary.get("parsing_errors"):
        problems.append(f"{summary['parsing_errors']} template(s) could not be parsed")
    rendered = {p.relative_to(out).as_posix() for p in out.rglob("*.stack.yml")}
    scanned = {c["file_path"].lstrip("/") for c in failed + passed}
    for missing in sorted(rendered - scanned):
        problems.append(f"{missing}: not scanned")
    for c in sorted(failed, key=lambda c: (c["file_path"], c["check_id"])):
        if c["check_id"] not in skips:
            problems.append(
                f"{c['file_path'].lstrip('/')}: {c['check_id']} {c['check_name']} "
                f"({c['resource']})"
            )
    found = {c["check_id"] for c in failed}
    for stale in skips:
        if stale not in found:
            problems.append(f"{stale} is in {skip_file} but no template triggers it: remove it")
    if problems:
        print("checkov: the generated templates do not pass:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)
    accepted = len(failed)
    print(
        f"checkov {summary.get('checkov_version', '?')}: {len(rendered)} templates, "
        f"{summary['passed']} checks passed, {accepted} accepted ({', '.join(skips)})"
    )


if __name__ == "__main__":
    main()
