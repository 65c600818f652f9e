package scheduler

import (
	"crypto/aes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/region"
)

// PingSlot is one class B ping slot.
type PingSlot struct {
	// BeaconTime is the start of the beacon period (since the GPS epoch).
	BeaconTime time.Duration
	// Index is the slot number, 0 to 4095, in the beacon window.
	Index int
	// Time is the slot start since the GPS epoch: BeaconTime + 2.120 s +
	// Index·30 ms (spec-classb-multicast.md §1.4).
	Time time.Duration
	// Frequency is the region's default ping-slot frequency for the
	// address in that period, in Hz.
	Frequency uint32
}

// ValidPingPeriod checks a ping period in slots: a power of two from 32 to
// 4096 (Periodicity 0 to 7; spec-classb-multicast.md §1.2).
func ValidPingPeriod(period int) error {
	if period < region.MinPingPeriod || period > region.PingSlots || bits.OnesCount(uint(period)) != 1 {
		return fmt.Errorf("ping period %d: want a power of two from 32 to 4096", period)
	}
	return nil
}

// PingOffset returns the ping offset of addr (a DevAddr or McAddr) in the
// beacon period starting at beaconTime (spec-classb-multicast.md §1.3):
// the first two bytes, little-endian, of AES-128 under an all-zero key of
// the block BeaconTime seconds (4 bytes LE) | addr (4 bytes LE) | 8 zero
// bytes, modulo the ping period.
func PingOffset(addr lorawan.DevAddr, beaconTime time.Duration, period int) (int, error) {
	if err := ValidPingPeriod(period); err != nil {
		return 0, err
	}
	if beaconTime < 0 {
		return 0, fmt.Errorf("beacon time %v is before the GPS epoch", beaconTime)
	}
	var key, block, out [16]byte
	c, err := aes.NewCipher(key[:])
	if err != nil {
		return 0, fmt.Errorf("ping offset: %w", err)
	}
	binary.LittleEndian.PutUint32(block[0:4], uint32(int64(beaconTime/time.Second)))
	// lorawan.DevAddr holds the address most significant byte first.
	binary.LittleEndian.PutUint32(block[4:8], binary.BigEndian.Uint32(addr[:]))
	c.Encrypt(out[:], block[:])
	rand := int(out[0]) | int(out[1])<<8
	return rand % period, nil
}

// PingSlotsIn returns the ping offset and every ping slot of addr in the
// beacon period starting at beaconTime (which must be a multiple of 128 s),
// with the region's ping-slot frequency.
func PingSlotsIn(addr lorawan.DevAddr, beaconTime time.Duration, period int, r *region.Region) (int, []PingSlot, error) {
	if beaconTime%region.BeaconPeriod != 0 {
		return 0, nil, fmt.Errorf("beacon time %v is not a multiple of 128 s", beaconTime)
	}
	off, err := PingOffset(addr, beaconTime, period)
	if err != nil {
		return 0, nil, err
	}
	freq, err := r.PingSlotFrequency(addr, beaconTime)
	if err != nil {
		return 0, nil, err
	}
	slots := make([]PingSlot, 0, region.PingSlots/period)
	for n := off; n < region.PingSlots; n += period {
		slots = append(slots, PingSlot{BeaconTime: beaconTime, Index: n, Time: slotTime(beaconTime, n), Frequency: freq})
	}
	return off, slots, nil
}

func slotTime(beaconTime time.Duration, n int) time.Duration {
	return beaconTime + region.BeaconReserved + time.Duration(n)*region.PingSlotLen
}

// NextPingSlot returns the first ping slot of addr starting at or after
// the GPS time after, for a ping period in slots, in region r.
func NextPingSlot(addr lorawan.DevAddr, after time.Duration, period int, r *region.Region) (PingSlot, error) {
	bt := region.BeaconTimeFor(after)
	for range 2 {
		_, slots, err := PingSlotsIn(addr, bt, period, r)
		if err != nil {
			return PingSlot{}, err
		}
		for _, s := range slots {
			if s.Time >= after {
				return s, nil
			}
		}
		bt += region.BeaconPeriod
	}
	// Unreachable: the next period always has a slot.
	return PingSlot{}, fmt.Errorf("no ping slot after %v", after)
}
