"""Security (issue 6): SQL is built only from constant text, with every value bound as a
parameter. Scans the C++ sources for statements that hold SQL text and concatenate something
that is not a string literal, a k-constant or a SQL fragment variable itself built this way;
anything else must be a bound `?N` parameter. A finding is a test failure naming file:line."""
import argparse
import os
import re
import sys

SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|ORDER BY|LIMIT|VALUES|FROM|SET|JOIN)\b")
LITERAL = re.compile(r'R"(\w*)\((.*?)\)\1"|"(?:\\.|[^"\\])*"', re.S)
IDENT = re.compile(r"[A-Za-z_]\w*")
# Names that may appear in a statement concatenating SQL: types and helpers, and fragment
# variables that are themselves only ever assigned constant SQL (their assignments are
# statements this check scans too).
ALLOWED = {"std", "string", "string_view", "auto", "const", "char", "Stmt", "prepare", "exec", "r", "st", "c", "s",
           "writer_", "db_", "reader", "conn", "sql", "where", "order", "where_clause", "WENKU_TRY", "WENKU_ASSIGN_OR_RETURN",
           "case", "break", "if", "else", "return", "DocumentSort", "SortOrder", "q", "sort", "kMostViewed",
           "kNewest", "kOldest", "kRelevance",
           # the PostgreSQL store: its result type and COPY, whose values are streamed, not spliced
           "Rows", "copy_in_begin", "copy_out", "target", "source",
           "listing"}  # Params of the listing rule (listing_params)
# Bound values: a libpq parameter list (`Params().add(v)...`, `filter_params(f)`) is removed
# from a statement before its names are checked.
BOUND = re.compile(r"\b(?:Params\(\)|filter_params\(\w*\))(?:\.add\((?:[^()]|\([^()]*(?:\([^()]*\))?[^()]*\))*\))*")


# Parameters of private helpers that splice a column name: allowed only while every call of
# the helper (named here) passes a string literal.
REVIEWED = {("src/store/sqlite_store_documents.cpp", "column"): "add_counter",
            ("src/store/postgres_store_documents.cpp", "column"): "add_counter"}

# Names reviewed once: each holds only constant text (file, name: where it comes from).
CONSTANT = {("src/store/postgres_store.cpp", "t"): "a table name of postgres_tables(), a constant list",
            ("src/store/postgres_store_moderation.cpp", "all_of_document"): "chooses between two literals",
            # `wenku migrate`'s row copy: a table is refused unless it is one of the constant
            # list migration_tables() (order_of), a column unless a plain [a-z0-9_] identifier.
            ("src/store/sqlite_store_rows.cpp", "table"): "checked against migration_tables()",
            ("src/store/sqlite_store_rows.cpp", "rows"): "rows.table checked against migration_tables()",
            ("src/store/postgres_store_rows.cpp", "table"): "checked against migration_tables()",
            ("src/store/postgres_store_rows.cpp", "rows"): "rows.table checked against migration_tables()",
            ("src/store/postgres_store_rows.cpp", "head"): "the checked table and plain-identifier columns",
            ("src/store/postgres_store_rows.cpp", "fetch"): "FETCH and a number",
            ("src/store/postgres_store_rows.cpp", "to_string"): "a batch size, an int (FETCH takes no parameter)",
            ("src/store/postgres_store_rows.cpp", "batch_rows"): "an int",
            # The policy's listing rule as SQL: placeholders numbered from an int, values bound.
            ("src/store/sqlite_store_documents.cpp", "listing_clause"): "placeholders ?N only",
            ("src/store/postgres_store_documents.cpp", "listing_clause"): "placeholders $N only"}


def statements(text):
    """(line, statement) pairs: the source cut at semicolons and braces, literals kept."""
    out, start, line, i = [], 0, 1, 0
    while i < len(text):
        m = LITERAL.match(text, i) if text[i] in 'R"' else None
        if m and (text[i] == '"' or text.startswith('R"', i)):
            i = m.end()
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = len(text) if j < 0 else j
            continue
        if text[i] in ";{}":
            chunk = text[start:i]
            out.append((line + chunk[:len(chunk) - len(chunk.lstrip())].count("\n"), chunk.strip()))
            line += text[start:i + 1].count("\n")
            start = i + 1
        i += 1
    return out


def findings(root):
    bad = []
    for dirpath, _, files in os.walk(os.path.join(root, "src")):
        for f in files:
            if not f.endswith((".cpp", ".h")):
                continue
            path = os.path.join(dirpath, f)
            text = open(path, encoding="utf-8").read()
            for line, st in statements(text):
                literals = [m.group(0) for m in LITERAL.finditer(st)]
                if not any(SQL_WORDS.search(l) for l in literals):
                    continue
                code = BOUND.sub(" ", re.sub(r"//[^\n]*", " ", LITERAL.sub(" ", st)))
                if "+" not in code:
                    continue
                for name in IDENT.findall(code):
                    if name in ALLOWED or re.fullmatch(r"k[A-Z]\w*", name):
                        continue
                    if (os.path.relpath(path, root), name) in CONSTANT:
                        continue
                    reviewed = REVIEWED.get((os.path.relpath(path, root), name))
                    calls = [a for a in re.findall(r"\b" + reviewed + r"\(([^,]*),", text)
                             if not a.strip().startswith("const ")] if reviewed else []  # not the definition
                    if reviewed and calls and all(re.match(r'\s*"[a-z_]+"\s*$', a) for a in calls):
                        continue  # every caller passes a literal
                    bad.append("%s:%d: `%s` concatenated into SQL: %s" % (
                        os.path.relpath(path, root), line, name, " ".join(st.split())[:160]))
                    break
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--wenku", help="unused; accepted like the other suites")
    ap.add_argument("--tier", default="fast")
    args = ap.parse_args()
    bad = findings(args.source)
    for b in bad:
        print("FAIL: " + b)
    n_files = sum(len([f for f in fs if f.endswith((".cpp", ".h"))]) for _, _, fs in os.walk(os.path.join(args.source, "src")))
    line = "FIGURES sql_params files=%d findings=%d" % (n_files, len(bad))
    print(line)
    if os.environ.get("WENKU_FIGURES_FILE"):
        with open(os.environ["WENKU_FIGURES_FILE"], "a", encoding="utf-8") as f:
            f.write(line + "\n")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
