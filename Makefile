# Release packaging for hybridmgmt and the HybridManagement PowerShell module.
#
#   make dist                      cross-compile, lay out dist/HybridManagement/, zip it
#   make dist VERSION=1.2.0        the same with an explicit version
#   make pscheck                   the PowerShell grammar and 5.1 rule checks (Node.js)
#   make clean
#
# Signing (optional): when SIGN_CERT is set, the Windows binaries (and the
# module's .psm1/.psd1/.ps1xml, so AllSigned policies accept them) are signed
# with osslsigncode before zipping.
#   SIGN_CERT            PFX/P12 file, or a PEM/DER certificate with SIGN_KEY
#   SIGN_KEY             private key file when SIGN_CERT is not a PFX
#   SIGN_PASSWORD        PFX/key password (read from the environment and fed on
#                        stdin, never put on a command line)
#   SIGN_TIMESTAMP_URL   RFC 3161 timestamp server, e.g. http://timestamp.digicert.com
#
# Needs: go, sed, zip (or python3), and osslsigncode only when signing.

GO        ?= go
ZIP       ?= zip
PLATFORMS ?= windows/amd64 windows/arm64 linux/amd64 linux/arm64 darwin/arm64

# 1.2.3 from tag v1.2.3; 1.2.3-4-gabcdef between tags; 0.0.0-dev+abcdef without tags.
VERSION ?= $(shell v=$$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null) && echo "$${v#v}" || echo "0.0.0-dev+$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
# ModuleVersion must be N.N[.N]; the rest of VERSION becomes PSData.Prerelease.
MODULE_VERSION := $(shell echo '$(VERSION)' | sed -E 's/^v//; s/[-+].*$$//')
PRERELEASE     := $(shell echo '$(VERSION)' | sed -E 's/^v?[0-9.]+//; s/^[-+]//; s/[^A-Za-z0-9]//g')

DIST    := dist
MODDIR  := $(DIST)/HybridManagement
ZIPFILE := $(DIST)/HybridManagement-$(VERSION).zip
LDFLAGS := -s -w -X main.version=$(VERSION)

SIGN_CERT          ?=
SIGN_KEY           ?=
SIGN_TIMESTAMP_URL ?=

.PHONY: dist binaries module sign zip pscheck clean

dist:
	@$(MAKE) --no-print-directory clean
	@$(MAKE) --no-print-directory zip
	@echo "dist: $(ZIPFILE) (hybridmgmt $(VERSION), module $(MODULE_VERSION)$(if $(PRERELEASE),-$(PRERELEASE)))"

binaries:
	@echo '$(MODULE_VERSION)' | grep -Eq '^[0-9]+\.[0-9]+(\.[0-9]+)?$$' || { echo "VERSION '$(VERSION)' does not start with N.N.N" >&2; exit 2; }
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
		out=$(MODDIR)/bin/$$os-$$arch/hybridmgmt$$ext; \
		echo "go build $$os/$$arch -> $$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$out ./cmd/hybridmgmt; \
	done

module:
	@mkdir -p $(MODDIR)
	cp module/HybridManagement.psm1 module/HybridManagement.format.ps1xml $(MODDIR)/
	sed -E -e "s/^([[:space:]]*ModuleVersion[[:space:]]*=[[:space:]]*)'[^']*'/\1'$(MODULE_VERSION)'/" \
		-e "s/^([[:space:]]*Prerelease[[:space:]]*=[[:space:]]*)'[^']*'/\1'$(PRERELEASE)'/" \
		module/HybridManagement.psd1 > $(MODDIR)/HybridManagement.psd1
	@grep -q "ModuleVersion *= *'$(MODULE_VERSION)'" $(MODDIR)/HybridManagement.psd1 || { echo "could not stamp ModuleVersion" >&2; exit 1; }
	@if [ -f docs/powershell.md ]; then cp docs/powershell.md $(MODDIR)/README.md; fi

# osslsigncode reads the password from stdin (-readpass -); printf is a shell
# builtin, so the password never appears in a process's arguments.
SIGN_ARGS = $(if $(filter %.pfx %.p12 %.PFX %.P12,$(SIGN_CERT)),-pkcs12 '$(SIGN_CERT)',-certs '$(SIGN_CERT)' -key '$(SIGN_KEY)') \
	-h sha256 -n 'hybridmgmt' -i 'https://github.com/hybridmgmt/hybridmgmt' \
	$(if $(SIGN_TIMESTAMP_URL),-ts '$(SIGN_TIMESTAMP_URL)')

sign: binaries module
ifeq ($(strip $(SIGN_CERT)),)
	@echo "sign: SIGN_CERT not set; binaries and scripts are not signed"
else
	@command -v osslsigncode >/dev/null || { echo "sign: osslsigncode not found" >&2; exit 1; }
	@set -e; for f in $(MODDIR)/bin/windows-*/hybridmgmt.exe $(MODDIR)/HybridManagement.psm1 $(MODDIR)/HybridManagement.psd1 $(MODDIR)/HybridManagement.format.ps1xml; do \
		echo "osslsigncode sign $$f"; \
		if [ -n "$$SIGN_PASSWORD" ]; then \
			printf '%s' "$$SIGN_PASSWORD" | osslsigncode sign $(SIGN_ARGS) -readpass - -in "$$f" -out "$$f.signed" >/dev/null; \
		else \
			osslsigncode sign $(SIGN_ARGS) -in "$$f" -out "$$f.signed" >/dev/null; \
		fi; \
		mv "$$f.signed" "$$f"; \
	done
endif

zip: sign
	@rm -f $(ZIPFILE)
	@if command -v $(ZIP) >/dev/null 2>&1; then \
		cd $(DIST) && $(ZIP) -q -r -X $(notdir $(ZIPFILE)) HybridManagement; \
	elif command -v python3 >/dev/null 2>&1; then \
		cd $(DIST) && python3 -m zipfile -c $(notdir $(ZIPFILE)) HybridManagement; \
	else \
		echo "zip: neither zip nor python3 found" >&2; exit 1; \
	fi
	@if command -v sha256sum >/dev/null 2>&1; then cd $(DIST) && sha256sum $(notdir $(ZIPFILE)) > $(notdir $(ZIPFILE)).sha256; fi

pscheck:
	cd tools/pscheck && npm ci --ignore-scripts --no-audit --no-fund
	node --liftoff-only tools/pscheck/pscheck.mjs --self-test
	node --liftoff-only tools/pscheck/pscheck.mjs

clean:
	rm -rf $(DIST)
