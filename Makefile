# acq -- PostgreSQL extension (PGXS build)
EXTENSION   = acq
EXTVERSION  = 0.2.0
MODULE_big  = acq

CORE_SRCS   = $(sort $(wildcard src/core/*.c))
PG_SRCS     = $(sort $(wildcard src/pg/*.c src/pg/*/*.c))
OBJS        = $(CORE_SRCS:.c=.o) $(PG_SRCS:.c=.o)

DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA        = $(wildcard sql/$(EXTENSION)--*.sql)
DATA       := $(filter-out sql/$(EXTENSION)--$(EXTVERSION).sql,$(DATA))
EXTRA_CLEAN = sql/$(EXTENSION)--$(EXTVERSION).sql test/unit/*.bin test/unit/*.o test/unit/san

REGRESS      = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

# concurrency specs (pg_isolation_regress): test/specs/*.spec, test/expected;
# run by installcheck after the pg_regress tests, or alone by isolationcheck
ISOLATION      = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --load-extension=$(EXTENSION)

PG_CONFIG  ?= /usr/lib/postgresql/15/bin/pg_config

# One BLAS thread per backend: link OpenBLAS's serial build (Debian package
# libopenblas0-serial).  DT_RPATH (not RUNPATH) so that liblapacke's own
# liblapack.so.3 also resolves to the serial OpenBLAS.  liblbfgs (Debian
# liblbfgs-dev, MIT licence) is the L-BFGS optimiser of src/core/softmax.c.
BLAS_DIR   ?= /usr/lib/x86_64-linux-gnu/openblas-serial
BLAS_LIBS   = -llapacke -lopenblas -llbfgs -lm
SHLIB_LINK += $(BLAS_LIBS) -Wl,--disable-new-dtags,-rpath,$(BLAS_DIR)

# our sources build warning-free; PostgreSQL's headers count as system
# headers so that -Wextra judges our code, not theirs
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# the element-wise loops of the logistic fit are vectorised with glibc's
# libmvec (src/core/vecmath.c), once for any x86-64 and once for AVX2+FMA
VEC_CFLAGS  = -O3 -ffast-math
src/core/vecmath.o: CFLAGS += $(VEC_CFLAGS)
src/core/vecmath_avx2.o: CFLAGS += $(VEC_CFLAGS) -mavx2 -mfma
# (its JIT bitcode too: it calls libmvec's AVX2 exp by name)
src/core/vecmath_avx2.bc: BITCODE_CFLAGS += -mavx2 -mfma
SHLIB_LINK += -lmvec

# rebuild every object when a header changes
$(OBJS): $(wildcard src/core/*.h src/pg/*.h src/pg/*/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

# ---- C unit tests of the core (no PostgreSQL) ------------------------------
UNIT_CC     ?= gcc
UNIT_CFLAGS  = -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -Itest/unit
UNIT_TESTS   = $(patsubst %.c,%.bin,$(sort $(wildcard test/unit/test_*.c)))

UNIT_VEC     = test/unit/vecmath.o test/unit/vecmath_avx2.o
UNIT_SRCS    = $(filter-out src/core/vecmath%.c,$(CORE_SRCS))

test/unit/vecmath.o: src/core/vecmath.c src/core/vecmath.h
	$(UNIT_CC) $(UNIT_CFLAGS) $(VEC_CFLAGS) -c -o $@ $<
test/unit/vecmath_avx2.o: src/core/vecmath_avx2.c src/core/vecmath.c src/core/vecmath.h
	$(UNIT_CC) $(UNIT_CFLAGS) $(VEC_CFLAGS) -mavx2 -mfma -c -o $@ $<

test/unit/%.bin: test/unit/%.c $(CORE_SRCS) $(wildcard src/core/*.h) test/unit/unit.h test/unit/hooks.h $(UNIT_VEC)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_SRCS) $(UNIT_VEC) $(BLAS_LIBS) -lmvec -Wl,--disable-new-dtags,-rpath,$(BLAS_DIR)

.PHONY: unit
unit: $(UNIT_TESTS)
	@pass=0; fail=0; \
	for t in $(UNIT_TESTS); do \
	  if ./$$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; \
	echo "unit: $$pass passed, $$fail failed"; test $$fail -eq 0

# ---- the concurrency specs alone, against a running server (PGHOST, PGPORT) --
.PHONY: isolationcheck
isolationcheck:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
# ---- the same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer --
# (docs/hardening.md, "Sanitizers").  The core is compiled once into
# test/unit/san/*.o and linked into each test; any report aborts the test
# (-fno-sanitize-recover=all, halt_on_error), so a finding is a failed test.
# OpenBLAS, LAPACKE, liblbfgs and libmvec are not instrumented: ASan still
# checks what the core passes them only where they call malloc/memcpy.
SAN_FLAGS    = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS   = -O1 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -Itest/unit $(SAN_FLAGS)
SAN_DIR      = test/unit/san
SAN_OBJS     = $(patsubst src/core/%.c,$(SAN_DIR)/%.o,$(CORE_SRCS))
SAN_TESTS    = $(patsubst test/unit/%.c,$(SAN_DIR)/%.bin,$(sort $(wildcard test/unit/test_*.c)))
# detect_leaks=1: the unit tests free what they allocate (hooks.h counts it).
# No detect_stack_use_after_return: its fake stacks start zeroed, which hid
# a read of an uninitialised bool on the stack that UBSan otherwise reports.
SAN_ENV      = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1 \
               UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(SAN_DIR)/%.o: src/core/%.c $(wildcard src/core/*.h)
	@mkdir -p $(SAN_DIR)
	$(UNIT_CC) $(SAN_CFLAGS) -c -o $@ $<
$(SAN_DIR)/vecmath.o: src/core/vecmath.c src/core/vecmath.h
	@mkdir -p $(SAN_DIR)
	$(UNIT_CC) $(SAN_CFLAGS) $(VEC_CFLAGS) -c -o $@ $<
$(SAN_DIR)/vecmath_avx2.o: src/core/vecmath_avx2.c src/core/vecmath.c src/core/vecmath.h
	@mkdir -p $(SAN_DIR)
	$(UNIT_CC) $(SAN_CFLAGS) $(VEC_CFLAGS) -mavx2 -mfma -c -o $@ $<
$(SAN_DIR)/test_%.bin: test/unit/test_%.c $(SAN_OBJS) test/unit/unit.h test/unit/hooks.h $(wildcard test/unit/fixtures/*.h)
	$(UNIT_CC) $(SAN_CFLAGS) -o $@ $< $(SAN_OBJS) $(BLAS_LIBS) -lmvec -Wl,--disable-new-dtags,-rpath,$(BLAS_DIR)

.PHONY: unit-sanitize
unit-sanitize: $(SAN_TESTS)
	@pass=0; fail=0; \
	for t in $(SAN_TESTS); do \
	  if $(SAN_ENV) ./$$t >$$t.log 2>&1; then pass=$$((pass+1)); else fail=$$((fail+1)); cat $$t.log; echo "FAILED (sanitizers): $$t"; fi; \
	done; \
	echo "unit-sanitize: $$pass passed, $$fail failed"; test $$fail -eq 0

# ---- the include rules of docs/architecture.md ------------------------------
.PHONY: check-layers
check-layers:
	@bash scripts/check-layers.sh
