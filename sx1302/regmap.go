package sx1302

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:embed regmap.txt
var regmapText string

// RegField is one entry of the SX1302 register map: a named field with
// its byte address, bits, flags and reset default.
type RegField struct {
	Name string
	Field
}

var (
	regmapOnce sync.Once
	regmap     []RegField
	regByName  map[string]Field
)

// RegisterMap returns every register field of the chip (regmap.txt), in
// address order, with reset defaults: the emulator's register file.
func RegisterMap() []RegField {
	regmapOnce.Do(loadRegmap)
	return regmap
}

// Reg returns the field named as in the register map
// ("RX_TOP_SF5_CFG2_ACC_PNR"); it panics on an unknown name, which is a
// programming error caught by every test that starts the chip.
func Reg(name string) Field {
	regmapOnce.Do(loadRegmap)
	f, ok := regByName[name]
	if !ok {
		panic("sx1302: no register " + name)
	}
	return f
}

func loadRegmap() {
	regByName = map[string]Field{}
	for n, line := range strings.Split(regmapText, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f, err := parseRegLine(line)
		if err != nil {
			panic(fmt.Sprintf("sx1302: regmap.txt line %d: %v", n+1, err))
		}
		regmap = append(regmap, f)
		regByName[f.Name] = f.Field
	}
}

// parseRegLine reads "NAME 0xADDR OFFSET WIDTH FLAGS DEFAULT".
func parseRegLine(line string) (RegField, error) {
	p := strings.Fields(line)
	if len(p) != 6 {
		return RegField{}, fmt.Errorf("%d columns, want 6", len(p))
	}
	var v [4]int64
	for i, s := range []string{p[1], p[2], p[3], p[5]} {
		n, err := strconv.ParseInt(s, 0, 32)
		if err != nil {
			return RegField{}, err
		}
		v[i] = n
	}
	f := Field(v[0]) | Field(v[1])<<o | Field(v[2])<<w | Field(uint8(v[3]))<<d
	if strings.Contains(p[4], "s") {
		f |= signed
	}
	if strings.Contains(p[4], "r") {
		f |= ro
	}
	if strings.Contains(p[4], "p") {
		f |= pulse
	}
	return RegField{Name: p[0], Field: f}, nil
}
