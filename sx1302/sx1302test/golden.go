package sx1302test

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// Golden data recorded from Semtech's sx1302_hal V2.1.0 on this emulator
// (../shared/golden/sx1302 beside the repository, see its README): the types below read those
// files as test expectations.

// Hex is a number written as a "0x..." string or a plain number.
type Hex uint32

// UnmarshalJSON reads "0x5220" or 21024.
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n uint32
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*h = Hex(n)
		return nil
	}
	v, err := strconv.ParseUint(s, 0, 32)
	*h = Hex(v)
	return err
}

// GoldenField is one register field and its value.
type GoldenField struct {
	Name         string `json:"name"`
	Addr         Hex    `json:"addr"`
	Offset       uint8  `json:"offset"`
	Width        uint8  `json:"width"`
	Signed       bool   `json:"signed"`
	Value        int    `json:"value"`
	ResetDefault int    `json:"reset_default"`
	Written      bool   `json:"written"`
	// ValueBeforeSend is set in TX files.
	ValueBeforeSend int `json:"value_before_send"`
}

// Raw returns the field's value as unsigned bits.
func (f GoldenField) Raw() byte { return byte(f.Value) & byte(1<<f.Width-1) }

// GoldenCommand is one SX1250 command frame.
type GoldenCommand struct {
	Radio  int    `json:"radio"`
	Opcode string `json:"opcode"`
	Params string `json:"params"`
}

// GoldenIFChain is one IF chain of a golden configuration.
type GoldenIFChain struct {
	IFChain   int    `json:"if_chain"`
	Kind      string `json:"kind"`
	Enable    bool   `json:"enable"`
	Radio     int    `json:"radio"`
	IF        int32  `json:"if_hz"`
	Freq      uint32 `json:"channel_freq_hz"`
	Bandwidth uint32 `json:"bandwidth_hz"`
	SF        uint8  `json:"spreading_factor"`
	BitRate   uint32 `json:"bitrate"`
}

// GoldenStart is a start file (eu868.json, us915.json).
type GoldenStart struct {
	Name   string `json:"name"`
	Config struct {
		Radios []struct {
			Enable     bool       `json:"enable"`
			Freq       uint32     `json:"center_freq_hz"`
			RSSIOffset float32    `json:"rssi_offset"`
			TComp      [5]float32 `json:"rssi_tcomp_abcde"`
			TxEnable   bool       `json:"tx_enable"`
		} `json:"radios"`
		IFChains []GoldenIFChain `json:"if_chains"`
		TxGains  []struct {
			Power  int8  `json:"rf_power"`
			PAGain uint8 `json:"pa_gain"`
			PwrIdx uint8 `json:"pwr_idx"`
		} `json:"tx_gain_lut_radio_0"`
	} `json:"config"`
	Registers []GoldenField   `json:"registers"`
	Commands  []GoldenCommand `json:"sx1250_commands"`
}

// GoldenTx is a TX file (tx-*.json).
type GoldenTx struct {
	Name        string `json:"name"`
	StartConfig string `json:"start_config"`
	Packet      struct {
		Mode          string `json:"mode"`
		CountUSOffset int64  `json:"count_us_offset"`
		Freq          uint32 `json:"freq_hz"`
		RFChain       uint8  `json:"rf_chain"`
		Power         int8   `json:"rf_power_dbm"`
		Modulation    string `json:"modulation"`
		SF            uint8  `json:"spreading_factor"`
		Bandwidth     uint32 `json:"bandwidth_hz"`
		CodeRate      string `json:"coderate"`
		BitRate       uint32 `json:"bitrate"`
		FDev          uint32 `json:"f_dev_khz"`
		Preamble      int    `json:"preamble"`
		InvertPol     bool   `json:"invert_pol"`
		NoCRC         bool   `json:"no_crc"`
		NoHeader      bool   `json:"no_header"`
		Size          int    `json:"size"`
		Payload       string `json:"payload"`
	} `json:"packet"`
	Send struct {
		Preamble int `json:"pkt_preamble_after_send"`
	} `json:"lgw_send"`
	Trigger struct {
		Mode    string   `json:"mode"`
		Bits    []string `json:"tx_trig_bits_set"`
		Delayed *int64   `json:"timer_delayed_trig_minus_count_us_x32"`
	} `json:"trigger"`
	Registers []GoldenField `json:"tx_top_registers"`
	Buffer    struct {
		Hex string `json:"hex"`
	} `json:"tx_buffer"`
	Mailbox []struct {
		Name    string `json:"name"`
		Addr    Hex    `json:"addr"`
		Value   byte   `json:"value"`
		Written bool   `json:"written_by_send"`
	} `json:"agc_mailbox"`
}

// GoldenUplink is one uplink of an RX file.
type GoldenUplink struct {
	Name     string `json:"name"`
	Injected struct {
		Freq       uint32  `json:"freq_hz"`
		Modulation string  `json:"modulation"`
		SF         uint8   `json:"spreading_factor"`
		Bandwidth  uint32  `json:"bandwidth_hz"`
		CodeRate   string  `json:"coderate"`
		BitRate    uint32  `json:"bitrate"`
		RSSISignal float32 `json:"rssi_signal_dbm"`
		SNR        float32 `json:"snr_db"`
		RSSI       float32 `json:"rssi_channel_dbm"`
		CRC        string  `json:"crc"`
		Size       int     `json:"size"`
	} `json:"injected"`
	RecordHex string `json:"record_hex"`
	Ticks     uint32 `json:"record_timestamp_ticks"`
	Decoded   struct {
		Freq       uint32  `json:"freq_hz"`
		FreqOffset int32   `json:"freq_offset"`
		IFChain    uint8   `json:"if_chain"`
		RFChain    uint8   `json:"rf_chain"`
		ModemID    uint8   `json:"modem_id"`
		Modulation string  `json:"modulation"`
		DataRate   uint32  `json:"datarate"`
		Bandwidth  uint32  `json:"bandwidth"`
		CodeRate   string  `json:"coderate"`
		RSSIC      float32 `json:"rssic"`
		RSSIS      float32 `json:"rssis"`
		SNR        float32 `json:"snr"`
		CountUS    uint32  `json:"count_us"`
		Status     string  `json:"status"`
		Size       int     `json:"size"`
		Payload    string  `json:"payload"`
		CRC        Hex     `json:"crc"`
	} `json:"decoded"`
	Derived struct {
		Correction int32    `json:"count_us_minus_record_ticks_div32"`
		TComp      *float32 `json:"rssic_minus_raw_minus_rssi_offset_db"`
	} `json:"derived"`
}

// GoldenRx is an RX file (rx-*.json).
type GoldenRx struct {
	Name        string         `json:"name"`
	Temperature float32        `json:"board_temperature_c"`
	Uplinks     []GoldenUplink `json:"uplinks"`
}

// LoadGolden decodes a golden file into v.
func LoadGolden(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("golden %s: %w", path, err)
	}
	return nil
}
