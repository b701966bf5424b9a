package watch

import "time"

// debouncer decides when a batch is due: after quiet has passed since the
// last event (trailing debounce, so a save that produces several events is
// one batch and a lone edit goes out quickly), but never later than max after
// the first event, so a tool that writes without pause cannot starve the
// preview. It holds no timer itself; the run loop asks it for the due time,
// which keeps it a pure value that tests can drive with made-up clocks.
type debouncer struct {
	quiet, max  time.Duration
	first, last time.Time
	active      bool
}

// event records an event seen at now.
func (d *debouncer) event(now time.Time) {
	if !d.active {
		d.active, d.first = true, now
	}
	if now.After(d.last) {
		d.last = now
	}
}

// due returns when the pending batch should be delivered; only meaningful
// while active.
func (d *debouncer) due() time.Time {
	q, m := d.last.Add(d.quiet), d.first.Add(d.max)
	if m.Before(q) {
		return m
	}
	return q
}

// reset forgets the delivered batch.
func (d *debouncer) reset() {
	d.active = false
	d.first, d.last = time.Time{}, time.Time{}
}
