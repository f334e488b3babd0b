#!/usr/bin/python3
"""test/docs/examples.py -- every SQL example in README.md and docs/*.md runs.

The docs promise an example that runs for every capability.  This takes each
```sql block of those files, in order, and runs it with psql against a
database made for that file: a copy of a template that holds the demo data
(data/load.sql, load_acquisition.sql, load_mycroft.sql, loaded once), so the
blocks of one page can build on each other (a plan the first block makes is
plan 1 in the next) and the pages do not see each other's tables.  A block
fails if psql stops on an error; its printed rows are not compared (they are
there for the reader, and some are times).

Blocks that are not examples are passed over, and counted:
  - a signature (its first line is a call such as `acq.evaluate(train ...`);
  - a block whose first line is `-- illustrative: <why>` (it names servers or
    tables the reader has and the test cluster has not).
README.md's quick start begins with CREATE EXTENSION acq: its database has the
data but not the extension.

    test/docs/examples.py [--datadir data] [--only FILE]   (PG* environment: the server)

It creates and drops databases named acq_docs_*, and needs a role that may:
run it on a throwaway cluster, as scripts/test.sh does.

Prints one line per block run and a last line "docs examples: N passed, N
failed, N not run"; exits 1 on any failure.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
BLOCK = re.compile(r'^```sql\n(.*?)^```', re.S | re.M)
SIGNATURE = re.compile(r'^acq\.\w+\(')
TEMPLATE = 'acq_docs_template'


def psql(db, sql=None, args=(), check=True):
    cmd = ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db] + list(args)
    r = subprocess.run(cmd, input=sql, text=True, capture_output=True)
    if check and r.returncode != 0:
        sys.exit(f'psql failed: {" ".join(cmd)}\n{r.stderr}')
    return r


def blocks(path):
    text = open(path).read()
    for m in BLOCK.finditer(text):
        yield text.count('\n', 0, m.start()) + 2, m.group(1)   # the line of the block's first statement


def make_template(datadir):
    psql('postgres', f'DROP DATABASE IF EXISTS {TEMPLATE}; CREATE DATABASE {TEMPLATE}')
    for f in ('load.sql', 'load_acquisition.sql', 'load_mycroft.sql'):
        psql(TEMPLATE, args=['-v', f'datadir={datadir}', '-f', os.path.join(datadir, f)])


def page_db(page, with_extension):
    db = 'acq_docs_' + re.sub(r'[^a-z0-9]', '_', page.lower())
    psql('postgres', f'DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db} TEMPLATE {TEMPLATE}')
    if with_extension:
        psql(db, 'CREATE EXTENSION acq')
    return db


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--datadir', default=os.path.join(ROOT, 'data'))
    ap.add_argument('--only', help='one page, e.g. docs/acquisition.md')
    a = ap.parse_args()
    pages = [a.only] if a.only else ['README.md'] + sorted(
        os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, 'docs', '*.md')))
    make_template(os.path.abspath(a.datadir))
    passed = failed = skipped = 0
    for page in pages:
        todo = list(blocks(os.path.join(ROOT, page)))
        if not todo:
            continue
        db = page_db(page, with_extension=(page != 'README.md'))
        for line, sql in todo:
            first = sql.lstrip().split('\n', 1)[0]
            where = f'{page}:{line}'
            if SIGNATURE.match(first) or first.startswith('-- illustrative:'):
                skipped += 1
                print(f'not run  {where}  ({"signature" if SIGNATURE.match(first) else first[3:].strip()})')
                continue
            r = psql(db, sql, check=False)
            if r.returncode == 0:
                passed += 1
                print(f'ok       {where}')
            else:
                failed += 1
                err = [l for l in r.stderr.splitlines() if 'ERROR' in l or 'FATAL' in l] or r.stderr.splitlines()[-3:]
                print(f'FAILED   {where}: ' + ' | '.join(err))
        psql('postgres', f'DROP DATABASE IF EXISTS {db}')
    psql('postgres', f'DROP DATABASE IF EXISTS {TEMPLATE}')
    print(f'docs examples: {passed} passed, {failed} failed, {skipped} not run')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
