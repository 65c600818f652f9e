package region

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/hal"
)

// Class B timing (spec-classb-multicast.md §1.1): a beacon every 128 s on
// GPS-epoch multiples of 128 s; 2.120 s reserved after each beacon and a
// 3 s guard before the next one; 4096 ping slots of 30 ms in between.
const (
	BeaconPeriod   = 128 * time.Second
	BeaconReserved = 2120 * time.Millisecond
	BeaconGuard    = 3 * time.Second
	PingSlotLen    = 30 * time.Millisecond
	PingSlots      = 4096
	// BeaconPreamble is the beacon's preamble length in symbols (§1.6).
	BeaconPreamble = 10
)

// BeaconFormat is a region's beacon PHY and frame layout
// (spec-classb-multicast.md §1.6): the data rate, and the sizes of the
// RFU fields around the common and gateway-specific parts.
type BeaconFormat struct {
	// DR is the beacon data rate index; DataRate its radio settings.
	DR       int
	DataRate hal.DataRate
	// RFU1 is the number of RFU bytes before Param; RFU2 after the
	// gateway-specific part.
	RFU1, RFU2 int
}

// Size returns the frame length: RFU1 + Param(1) + Time(4) + CRC(2) +
// InfoDesc(1) + Info(6) + RFU2 + CRC(2).
func (f BeaconFormat) Size() int { return f.RFU1 + 1 + 4 + 2 + 7 + f.RFU2 + 2 }

// beaconLayout: data rate and RFU sizes per region (§1.6 table, RFU1
// excluding Param).
var beaconLayout = map[Name]struct{ dr, rfu1, rfu2 int }{
	EU868: {3, 1, 0}, US915: {8, 4, 3}, AU915: {8, 4, 3},
	AS923_1: {3, 1, 0}, AS923_2: {3, 1, 0}, AS923_3: {3, 1, 0}, AS923_4: {3, 1, 0},
	CN470: {2, 2, 1}, KR920: {3, 1, 0}, IN865: {4, 0, 3}, RU864: {3, 1, 0},
}

// Beacon returns the region's beacon format.
func (r *Region) Beacon() (BeaconFormat, error) {
	l, ok := beaconLayout[r.name]
	if !ok {
		return BeaconFormat{}, fmt.Errorf("region %s: no beacon format", r.name)
	}
	d, err := r.DataRate(l.dr)
	if err != nil {
		return BeaconFormat{}, err
	}
	return BeaconFormat{DR: l.dr, DataRate: d, RFU1: l.rfu1, RFU2: l.rfu2}, nil
}

// BeaconFrequency returns the beacon frequency in Hz for the beacon at
// beaconTime (since the GPS epoch). US915 and AU915 hop over the eight
// 500 kHz downlink channels, channel floor(t/128) mod 8 (§1.7); legacy
// CN470 hops the same way over 508.3 + 0.2·n MHz. RU864 beacons on 869.1 MHz
// while its ping slots use 868.9 MHz (§1.5); every other region uses its
// fixed ping-slot frequency, which the hopping formula also gives for
// DevAddr 0.
func (r *Region) BeaconFrequency(beaconTime time.Duration) (uint32, error) {
	if r.name == RU864 {
		return 869100000, nil
	}
	return r.PingSlotFrequency(lorawan.DevAddr{}, beaconTime)
}

// PingSlotFrequency returns the default ping-slot frequency for a DevAddr
// or McAddr in the beacon period starting at beaconTime (§1.5): fixed per
// region, or channel (addr + floor(t/128)) mod 8 in US915, AU915 and legacy
// CN470. It relies on brocaar/lorawan's band.
func (r *Region) PingSlotFrequency(addr lorawan.DevAddr, beaconTime time.Duration) (uint32, error) {
	if beaconTime < 0 {
		return 0, fmt.Errorf("beacon time %v is before the GPS epoch", beaconTime)
	}
	f, err := r.band.GetPingSlotFrequency(addr, beaconTime)
	if err != nil {
		return 0, fmt.Errorf("region %s: ping-slot frequency: %w", r.name, err)
	}
	return f, nil
}

// BeaconFrame is the content of one beacon.
type BeaconFrame struct {
	// Time is the GPS time of the beacon in seconds, mod 2^32.
	Time uint32
	// Prec is the timing precision (Param bits 1:0, 0 to 3).
	Prec uint8
	// InfoDesc says what Info holds: 0 to 2 the GPS position of antenna
	// 1 to 3 (LatLngInfo).
	InfoDesc uint8
	Info     [6]byte
}

// Encode returns the frame in the region's layout (§1.6): RFU1, Param,
// Time (LE), CRC1 over those, InfoDesc, Info, RFU2, CRC2 over those; both
// CRCs CRC-16/XMODEM stored little-endian.
func (f BeaconFormat) Encode(b BeaconFrame) ([]byte, error) {
	if b.Prec > 3 {
		return nil, fmt.Errorf("beacon prec %d: want 0 to 3", b.Prec)
	}
	out := make([]byte, f.Size())
	i := f.RFU1
	out[i] = b.Prec
	binary.LittleEndian.PutUint32(out[i+1:], b.Time)
	i += 5
	binary.LittleEndian.PutUint16(out[i:], CRC16(out[:i]))
	i += 2
	g := i
	out[i] = b.InfoDesc
	copy(out[i+1:], b.Info[:])
	i += 7 + f.RFU2
	binary.LittleEndian.PutUint16(out[i:], CRC16(out[g:i]))
	return out, nil
}

// LatLngInfo returns the Info field for a gateway position (§1.6):
// latitude then longitude, each a signed 24-bit little-endian value
// trunc(lat/90·2^23) and trunc(lng/180·2^23), clamped to the 24-bit range.
func LatLngInfo(lat, lng float64) ([6]byte, error) {
	var out [6]byte
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return out, fmt.Errorf("latitude %v: want -90 to 90", lat)
	}
	if math.IsNaN(lng) || lng < -180 || lng > 180 {
		return out, fmt.Errorf("longitude %v: want -180 to 180", lng)
	}
	put24(out[0:3], lat/90*(1<<23))
	put24(out[3:6], lng/180*(1<<23))
	return out, nil
}

func put24(b []byte, v float64) {
	n := int32(v) // truncates toward zero
	n = max(-(1 << 23), min(n, 1<<23-1))
	u := uint32(n)
	b[0], b[1], b[2] = byte(u), byte(u>>8), byte(u>>16)
}

// CRC16 is CRC-16/XMODEM: polynomial 0x1021, initial value 0, MSB first,
// no reflection, no final XOR (§1.6).
func CRC16(data []byte) uint16 {
	var crc uint16
	for _, b := range data {
		crc ^= uint16(b) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// BeaconTimeFor returns the start of the beacon period containing GPS time
// t (a multiple of 128 s).
func BeaconTimeFor(t time.Duration) time.Duration {
	b := t - t%BeaconPeriod
	if t < 0 && t%BeaconPeriod != 0 {
		b -= BeaconPeriod
	}
	return b
}
