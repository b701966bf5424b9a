# pair.sh is sourced by the scripts that time two pyrobuild builds side by
# side (bench-ab.sh, bench-startup.sh).
#
# pair WORK ARGS...: ARGS are OLD_BINARY NEW_BINARY, or --rev REV (REV
# built in a temporary worktree, against the work tree). Sets bin[old] and
# bin[new] to absolute paths, and makes sure /usr/bin/time is there.
declare -A bin
pair() {
	local work=$1
	shift
	if [ "${1:-}" = "--rev" ]; then
		[ $# -eq 2 ] || { echo "usage: $0 --rev REV" >&2; exit 2; }
		git worktree add -q --detach "$work/src" "$2"
		# Built as `make build` builds (pure Go, static) unless
		# CGO_ENABLED says otherwise.
		(cd "$work/src" && CGO_ENABLED=${CGO_ENABLED:-0} go build -o "$work/old" ./cmd/pyrobuild)
		git worktree remove --force "$work/src"
		CGO_ENABLED=${CGO_ENABLED:-0} go build -o "$work/new" ./cmd/pyrobuild
		set -- "$work/old" "$work/new"
	fi
	[ $# -eq 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY | --rev REV" >&2; exit 2; }
	# Both are timed from copies written the same way, one after the
	# other: how a binary's file was written (by the linker, by cp) and
	# when moved the start-up of the very same binary by up to 1 ms here.
	cp "$1" "$work/old.bin"
	cp "$2" "$work/new.bin"
	bin[old]=$(realpath "$work/old.bin")
	bin[new]=$(realpath "$work/new.bin")
	command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
}
