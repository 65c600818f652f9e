package sx1302test

import (
	"fmt"
	"math"
	"sync"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// STTS751 is an emulated board temperature sensor on an I2C bus: product
// 0x00, manufacturer 0x53, the temperature in TEMP_H (signed whole
// degrees) and TEMP_L (1/256 °C).
type STTS751 struct {
	// Addr is the sensor's I2C address (0x39 on the reference boards).
	Addr uint16

	mu   sync.Mutex
	temp float64
	regs map[byte]byte
}

var _ i2c.Bus = (*STTS751)(nil)

// NewSTTS751 returns a sensor at addr reading celsius.
func NewSTTS751(addr uint16, celsius float64) *STTS751 {
	s := &STTS751{Addr: addr, regs: map[byte]byte{0xFD: 0x00, 0xFE: 0x53}}
	s.Set(celsius)
	return s
}

// Set changes the temperature the sensor reports.
func (s *STTS751) Set(celsius float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.temp = celsius
	v := int16(math.Round(celsius * 256))
	s.regs[0x00], s.regs[0x02] = byte(uint16(v)>>8), byte(v)
}

// String names the bus.
func (s *STTS751) String() string { return "stts751-emulator" }

// Tx answers a register write or a register read.
func (s *STTS751) Tx(addr uint16, w, r []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if addr != s.Addr {
		return fmt.Errorf("stts751 emulator: no device at 0x%02x", addr)
	}
	if len(w) == 0 {
		return fmt.Errorf("stts751 emulator: transfer without a register")
	}
	if len(w) > 1 {
		s.regs[w[0]] = w[1]
		return nil
	}
	for i := range r {
		r[i] = s.regs[w[0]+byte(i)]
	}
	return nil
}

// SetSpeed accepts any bus speed.
func (s *STTS751) SetSpeed(physic.Frequency) error { return nil }
