#!/usr/bin/env bash
# scripts/check-layers.sh -- the include rules of docs/architecture.md, checked
# (`make check-layers`; scripts/test.sh runs it):
#
#   src/core/          plain C: includes only core/ headers and the C library's
#   src/pg/base/       PostgreSQL, core/, pg/base/ -- no job, no capability
#   src/pg/jobs/       PostgreSQL, core/, pg/base/, pg/jobs/ -- capabilities
#                      only through the kind table (src/pg/job_kinds.c)
#   src/pg/<cap>/      PostgreSQL, core/, pg/base/, pg/jobs/, its own folder --
#                      never another capability
#   src/pg/*.c         the module (acq.c), the kind table and compat.c: anything
#   test/unit/         the core and the tests' own headers
#
# and no source file longer than 1,000 lines unless its opening comment says
# it does one thing ("one thing" in its first 30 lines).
# Prints each violation; exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

bad=0
say() { echo "check-layers: $*"; bad=1; }

# the quoted includes of a file, one a line
includes() { sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/p' "$1"; }

caps=$(cd src/pg && for d in */; do d=${d%/}; [ "$d" = base ] || [ "$d" = jobs ] || echo "$d"; done)

for f in src/core/*.c src/core/*.h; do
	while read -r inc; do
		[ -z "$inc" ] && continue
		case "$inc" in
			core/*) ;;
			vecmath.c) [ "$f" = src/core/vecmath_avx2.c ] || say "$f includes \"$inc\"" ;;
			*) say "$f includes \"$inc\": the core includes only core/ headers (no PostgreSQL, no adapter)" ;;
		esac
	done < <(includes "$f")
	if grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]+<(postgres|postgres_ext|pg_config)\.h>' "$f"; then
		say "$f includes a PostgreSQL header"
	fi
done

check_pg_dir() {
	local dir=$1 allowed=$2 f inc ok a
	for f in "src/pg/$dir"/*.c "src/pg/$dir"/*.h; do
		[ -e "$f" ] || continue
		while read -r inc; do
			case "$inc" in
				pg/*)
					ok=0
					for a in $allowed; do case "$inc" in "pg/$a/"*) ok=1 ;; esac; done
					[ $ok = 1 ] || say "$f includes \"$inc\": src/pg/$dir may include only pg/{${allowed// /,}}/"
					;;
				*.h) ;;
				*) say "$f includes \"$inc\"" ;;
			esac
		done < <(includes "$f")
	done
}
check_pg_dir base "base"
check_pg_dir jobs "base jobs"
for c in $caps; do check_pg_dir "$c" "base jobs $c"; done

for f in test/unit/*.c test/unit/*.h; do
	while read -r inc; do
		case "$inc" in
			core/*|unit.h|hooks.h|fixtures/*) ;;
			*) say "$f includes \"$inc\": unit tests include the core only" ;;
		esac
	done < <(includes "$f")
done

# each folder under src/pg has one header, named after the folder
for d in src/pg/*/; do
	d=${d%/}
	n=$(ls "$d"/*.h 2>/dev/null | wc -l)
	[ "$n" = 1 ] || say "$d has $n headers: one header per folder"
done
[ -z "$(ls src/pg/*.h 2>/dev/null)" ] || say "src/pg/ holds a header: headers live in their folder"

for f in $(find src -name '*.c' -o -name '*.h'); do
	n=$(wc -l <"$f")
	if [ "$n" -gt 1000 ] && ! head -30 "$f" | grep -qi "one thing"; then
		say "$f has $n lines: split it, or say in its opening comment why it is one thing"
	fi
done

if [ $bad = 0 ]; then echo "check-layers: ok"; fi
exit $bad
