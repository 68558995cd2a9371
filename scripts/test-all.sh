#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test-all.sh - the full matrix, for use before resolving a series issue:
# scripts/test.sh with TEST_MODE=all (every build-only profile built in
# full, every patch on every profile with the gate's targets and sparse).
TEST_MODE=all exec bash "$(dirname "$0")/test.sh" "$@"
