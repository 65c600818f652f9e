package sx1302

import (
	"math"
	"time"

	"go.uber.org/zap"
)

// TempComp is the radio's RSSI temperature compensation: the offset in dB
// added to every RSSI at temperature T (°C) is
// (A·T⁴ + B·T³ + C·T² + D·T + E) / 65536 (rxtx §1.4).
type TempComp struct{ A, B, C, D, E float64 }

// DefaultTempComp is the SX1250 reference design's compensation (sx1302_hal
// 2.1.0 reference configurations): about +1.02 dB at 25 °C, +3.3 at 60 °C.
var DefaultTempComp = TempComp{C: 20.41, D: 2162.56}

// Offset is the compensation in dB at celsius.
func (c TempComp) Offset(celsius float64) float64 {
	t := celsius
	return (c.A*t*t*t*t + c.B*t*t*t + c.C*t*t + c.D*t + c.E) / 65536
}

// DefaultTemperature is the board temperature assumed without a sensor.
const DefaultTemperature = 25.0

// tempRefresh is how often the sensor is read again while packets arrive.
const tempRefresh = 10 * time.Second

// FSK RSSI linearisation: the chip's FSK RSSI byte is not in dB; this
// cubic (of the raw byte) gives dB before the board offset (rxtx §1.4).
var fskRSSIPoly = [4]float64{90.636423, 0.420835, 0.007129, -0.000026}

// FSKRSSI is the FSK channel RSSI in dB, before the board's offset and
// temperature compensation, of a raw RSSI byte.
func FSKRSSI(raw byte) float64 {
	r := float64(raw)
	p := fskRSSIPoly
	return p[0] + p[1]*r + p[2]*r*r + p[3]*r*r*r
}

// FSKRSSIRaw is the raw byte whose linearised FSK RSSI is nearest to db
// (the emulator's encoding). The cubic rises up to byte 208.
func FSKRSSIRaw(db float64) byte {
	best := 0
	for r := 1; r <= 208; r++ {
		if math.Abs(FSKRSSI(byte(r))-db) < math.Abs(FSKRSSI(byte(best))-db) {
			best = r
		}
	}
	return byte(best)
}

// rssiOffset is the board offset plus the temperature compensation now:
// the sensor is read at most every tempRefresh; without one (or when it
// fails) the configured temperature is used. d.mu is held.
func (d *Dev) rssiOffset() float32 {
	if d.opts.I2C != nil && (d.tempAt.IsZero() || d.clk.Now().Sub(d.tempAt) >= tempRefresh) {
		d.tempAt = d.clk.Now()
		if t, err := d.readTemperature(); err != nil {
			d.log.Warn("sx1302 temperature read failed; RSSI compensated for the last known temperature",
				zap.Float64("celsius", d.tempC), zap.Error(err))
		} else {
			d.tempC = t
		}
	}
	return d.opts.RSSIOffset + float32(d.opts.RSSITempComp.Offset(d.tempC))
}
