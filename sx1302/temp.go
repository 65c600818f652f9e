package sx1302

import (
	"fmt"

	"periph.io/x/conn/v3/i2c"
)

// STTS751 registers (bringup §6.2).
const (
	sttsTempHigh = 0x00
	sttsTempLow  = 0x02
	sttsConfig   = 0x03
	sttsRate     = 0x04
	sttsProduct  = 0xFD
	sttsMaker    = 0xFE
)

// stts751 is the board temperature sensor.
type stts751 struct {
	dev i2c.Dev
}

func (s *stts751) reg(r byte) (byte, error) {
	var b [1]byte
	if err := s.dev.Tx([]byte{r}, b[:]); err != nil {
		return 0, fmt.Errorf("stts751 at 0x%02x: read 0x%02x: %w", s.dev.Addr, r, err)
	}
	return b[0], nil
}

// probeSTTS751 checks the sensor's identity and sets 12-bit resolution at
// one conversion per second.
func probeSTTS751(bus i2c.Bus, addr uint16) (*stts751, error) {
	s := &stts751{dev: i2c.Dev{Bus: bus, Addr: addr}}
	p, err := s.reg(sttsProduct)
	if err != nil {
		return nil, err
	}
	m, err := s.reg(sttsMaker)
	if err != nil {
		return nil, err
	}
	if (p != 0 && p != 1) || m != 0x53 {
		return nil, fmt.Errorf("stts751 at 0x%02x: product 0x%02x manufacturer 0x%02x, want 0x00/0x01 and 0x53", addr, p, m)
	}
	for _, w := range [][]byte{{sttsConfig, 0x8C}, {sttsRate, 0x04}} {
		if err := s.dev.Tx(w, nil); err != nil {
			return nil, fmt.Errorf("stts751 at 0x%02x: configure: %w", addr, err)
		}
	}
	return s, nil
}

// read returns the temperature in °C: signed high byte plus low/256.
func (s *stts751) read() (float64, error) {
	hi, err := s.reg(sttsTempHigh)
	if err != nil {
		return 0, err
	}
	lo, err := s.reg(sttsTempLow)
	if err != nil {
		return 0, err
	}
	return float64(int16(uint16(hi)<<8|uint16(lo))) / 256, nil
}
