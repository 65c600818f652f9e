package multicast

import (
	"fmt"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/scheduler"
)

// Class B timing (spec-classb-multicast.md §1.1).
const (
	// BeaconPeriod is the class B beacon period.
	BeaconPeriod = 128 * time.Second
	// BeaconReserved is the time after a beacon start before slot 0.
	BeaconReserved = 2120 * time.Millisecond
	// SlotLen is the length of one ping slot.
	SlotLen = 30 * time.Millisecond
	// slotsPerPeriod is the number of ping slots in a beacon window.
	slotsPerPeriod = 4096
)

// PingOffset returns the ping offset of addr in the beacon period that
// starts at GPS second beaconTime, for a period of pingPeriod slots
// (TS001 1.0.4 §11.2, spec-classb-multicast.md §1.3). addr is the address
// as written (MSB first, "26011BDA"). The computation is the scheduler's
// (scheduler.PingOffset); this adds the multicast period rule.
func PingOffset(beaconTime uint32, addr [4]byte, pingPeriod int) (int, error) {
	if err := checkPingSlotPeriod(pingPeriod); err != nil {
		return 0, err
	}
	off, err := scheduler.PingOffset(lorawan.DevAddr(addr), time.Duration(beaconTime)*time.Second, pingPeriod)
	if err != nil {
		return 0, fmt.Errorf("ping offset: %w", err)
	}
	return off, nil
}

// NextPingSlot returns the GPS time (since the GPS epoch) at which the
// first ping slot of addr with pingPeriod opens at or after after.
func NextPingSlot(addr [4]byte, after time.Duration, pingPeriod int) (time.Duration, error) {
	if after < 0 {
		return 0, fmt.Errorf("ping slot: negative GPS time %s", after)
	}
	bp := after.Truncate(BeaconPeriod)
	// The slot we need is in this beacon period or the next one.
	for i := 0; i < 3; i++ {
		off, err := PingOffset(uint32(bp/time.Second), addr, pingPeriod)
		if err != nil {
			return 0, err
		}
		for slot := off; slot < slotsPerPeriod; slot += pingPeriod {
			t := bp + BeaconReserved + time.Duration(slot)*SlotLen
			if t >= after {
				return t, nil
			}
		}
		bp += BeaconPeriod
	}
	return 0, fmt.Errorf("ping slot: none found after %s", after)
}
