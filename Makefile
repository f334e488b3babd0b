# acq -- PostgreSQL extension (PGXS build)
EXTENSION   = acq
EXTVERSION  = 0.1.0
MODULE_big  = acq

CORE_SRCS   = $(sort $(wildcard src/core/*.c))
PG_SRCS     = $(sort $(wildcard src/pg/*.c))
OBJS        = $(CORE_SRCS:.c=.o) $(PG_SRCS:.c=.o)

DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA        = $(wildcard sql/$(EXTENSION)--*--*.sql)
EXTRA_CLEAN = sql/$(EXTENSION)--$(EXTVERSION).sql test/unit/*.bin test/unit/*.o

REGRESS      = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

PG_CONFIG  ?= /usr/lib/postgresql/15/bin/pg_config

# One BLAS thread per backend: link OpenBLAS's serial build (Debian package
# libopenblas0-serial).  DT_RPATH (not RUNPATH) so that liblapacke's own
# liblapack.so.3 also resolves to the serial OpenBLAS.
BLAS_DIR   ?= /usr/lib/x86_64-linux-gnu/openblas-serial
BLAS_LIBS   = -llapacke -lopenblas -lm
SHLIB_LINK += $(BLAS_LIBS) -Wl,--disable-new-dtags,-rpath,$(BLAS_DIR)

# our sources build warning-free; PostgreSQL's headers count as system
# headers so that -Wextra judges our code, not theirs
PG_CPPFLAGS = -I$(srcdir)/src/core -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# rebuild every object when a header changes
$(OBJS): $(wildcard src/core/*.h src/pg/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

# ---- C unit tests of the core (no PostgreSQL) ------------------------------
UNIT_CC     ?= gcc
UNIT_CFLAGS  = -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc/core -Itest/unit
UNIT_TESTS   = $(patsubst %.c,%.bin,$(sort $(wildcard test/unit/test_*.c)))

test/unit/%.bin: test/unit/%.c $(CORE_SRCS) $(wildcard src/core/*.h) test/unit/unit.h
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(CORE_SRCS) $(BLAS_LIBS) -Wl,--disable-new-dtags,-rpath,$(BLAS_DIR)

.PHONY: unit
unit: $(UNIT_TESTS)
	@pass=0; fail=0; \
	for t in $(UNIT_TESTS); do \
	  if ./$$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; \
	echo "unit: $$pass passed, $$fail failed"; test $$fail -eq 0
