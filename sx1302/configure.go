package sx1302

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
)

// fv is one field write of a configuration step.
type fv struct {
	f Field
	v int
}

// writeAll writes fields in order (read-modify-write below 8 bits).
func (d *Dev) writeAll(ws []fv) error {
	for _, w := range ws {
		if err := d.bus.set(w.f, w.v); err != nil {
			return err
		}
	}
	return nil
}

// configure programs the receive path from the plan, in the order and to
// the values of the reference driver (bringup §3.2 steps 7-13): timestamp
// mode, GPIO functions, radio front ends, channelizer, multi-SF correlators
// and modems, the LoRa service modem, the FSK modem, sync words; then it
// enables the modems and RX, which must precede the MCU start. d.mu is held.
func (d *Dev) configure() error {
	p := &d.opts.Plan
	steps := [][]fv{
		d.timestampMode(),
		gpioFunctions(),
		frontEnd(),
		channelizer(p),
		multiSFCorrelators(p),
		multiSFModems(p.Radios[0].Freq),
	}
	if p.Service.Enable {
		steps = append(steps, serviceCorrelator(p.ServiceRate), serviceModem(p.ServiceRate, p.Radios[0].Freq))
	}
	if p.FSK.Enable {
		steps = append(steps, fskModem(p.FSKBitRate))
	}
	steps = append(steps, syncWords(!d.opts.PrivateSyncWord, p.ServiceRate.SpreadingFactor), []fv{
		// All three modem groups and RX on, whatever the plan enables
		// (the channel enables above gate reception).
		{Reg("COMMON_GEN_CONCENTRATOR_MODEM_ENABLE"), 1}, {Reg("COMMON_GEN_MBWSSF_MODEM_ENABLE"), 1},
		{Reg("COMMON_GEN_FSK_MODEM_ENABLE"), 1}, {Reg("COMMON_GEN_GLOBAL_EN"), 1},
	})
	for _, s := range steps {
		if err := d.writeAll(s); err != nil {
			return err
		}
	}
	return nil
}

// timestampMode selects legacy (end-of-packet) timestamps, as the SX1301,
// or precision mode with up to 32 metric pairs per record (rxtx §1.6,
// bringup §5.1).
func (d *Dev) timestampMode() []fv {
	if d.fine {
		return []fv{{RxTopLegacyTimestamp, 0}, {RxTopMaxTSMetrics, 32}, {RxTopTimestampEnable, 1}, {RxTopTimestampNbSymb, 0}}
	}
	return []fv{{RxTopLegacyTimestamp, 1}}
}

// GPIO functions: 0 host register, 1 AGC, 9 chip status.
const (
	gpioRegister = 0
	gpioAGC      = 1
	gpioStatus   = 9
)

// gpioFunctions routes the SX1302 GPIOs as the reference boards wire them:
// GPIO 2 shows TX on, GPIO 4 RX activity, GPIO 7 is the AGC's (LBT input);
// the rest are host outputs (GPIO 0 signals CONFIG_DONE).
func gpioFunctions() []fv {
	sel := [8]int{gpioRegister, gpioRegister, gpioStatus, gpioRegister, gpioStatus, gpioRegister, gpioRegister, gpioAGC}
	ws := make([]fv, 0, 9)
	for i, s := range sel {
		ws = append(ws, fv{Reg(fmt.Sprintf("GPIO_GPIO_SEL_%d_SELECTION", i)), s})
	}
	return append(ws, fv{GPIODirL, 0x7F})
}

// frontEnd sets the PA/LNA lookup tables and the radio front ends' RSSI
// filters, DC notch and host filter gain.
func frontEnd() []fv {
	ws := []fv{{AGCLUTAPA, 0x04}, {AGCLUTALNA, 0x02}, {AGCLUTBPA, 0x04}, {AGCLUTBLNA, 0x02}}
	for _, r := range []string{"A", "B"} {
		ws = append(ws,
			fv{Reg("RADIO_FE_RSSI_BB_FILTER_ALPHA_RADIO_" + r + "_RSSI_BB_FILTER_ALPHA"), 3},
			fv{Reg("RADIO_FE_RSSI_DEC_FILTER_ALPHA_RADIO_" + r + "_RSSI_DEC_FILTER_ALPHA"), 7})
	}
	for _, r := range []string{"A", "B"} {
		ws = append(ws,
			fv{Reg("RADIO_FE_RSSI_DB_DEF_RADIO_" + r + "_RSSI_DB_DEFAULT_VALUE"), 23},
			fv{Reg("RADIO_FE_RSSI_DEC_DEF_RADIO_" + r + "_RSSI_DEC_DEFAULT_VALUE"), 66})
	}
	return append(ws, fv{RadioFEDCNotchA, 1}, fv{RadioFEHostFilterA, 0x0B}, fv{RadioFEDCNotchB, 1}, fv{RadioFEHostFilterB, 0x0B})
}

// channelizer selects each chain's radio and IF and lets the AGC control
// the channel gains (internal DAGC thresholds wide open).
func channelizer(p *Plan) []fv {
	sel := 0
	for i, c := range p.MultiSF {
		sel |= int(c.Radio) << i
	}
	ws := []fv{{RxTopRadioSelect, sel}, {SvcRadioSelect, int(p.Service.Radio)}, {FSKRadioSelect, int(p.FSK.Radio)}}
	for i, c := range p.MultiSF {
		msb, lsb := ifReg(c.IF)
		ws = append(ws, fv{RxTopFreq0MSB.At(2 * i), msb}, fv{RxTopFreq0LSB.At(2 * i), lsb})
	}
	for _, c := range []struct {
		ch       IFChannel
		msb, lsb Field
	}{{p.Service, SvcFreqMSB, SvcFreqLSB}, {p.FSK, FSKFreqMSB, FSKFreqLSB}} {
		msb, lsb := ifReg(c.ch.IF)
		ws = append(ws, fv{c.msb, msb}, fv{c.lsb, lsb})
	}
	return append(ws, fv{RxTopRSSIFilterAlpha, 5}, fv{RxTopRSSIDefValue, 85},
		fv{RxTopDAGCMode, 1}, fv{RxTopDAGCThreshHigh, 255}, fv{RxTopDAGCThreshLow, 0},
		fv{Reg("RX_TOP_CHANN_DAGC_CFG3_CHAN_DAGC_MAX_ATTEN"), 15}, fv{Reg("RX_TOP_CHANN_DAGC_CFG3_CHAN_DAGC_MIN_ATTEN"), 0})
}

// Correlator detection constants, the same for every SF: accumulated and
// per-symbol peak-to-noise thresholds and the number of peaks looked at.
const (
	corrAccPNR   = 52
	corrMSPPNR   = 24
	corrPeakNb   = 7
	corrPeak2Nb  = 5
	multiSFAllSF = 0xFF // SF5-SF12 enabled in the multi-SF correlators
)

// multiSFCorrelators sets every SF's detection thresholds and enables the
// correlators of the enabled chains.
func multiSFCorrelators(p *Plan) []fv {
	var ws []fv
	for sf := 5; sf <= 12; sf++ {
		pre := fmt.Sprintf("RX_TOP_SF%d_CFG", sf)
		ws = append(ws, fv{Reg(pre + "2_ACC_PNR"), corrAccPNR}, fv{Reg(pre + "4_MSP_PNR"), corrMSPPNR},
			fv{Reg(pre + "6_MSP_PEAK_NB"), corrPeakNb}, fv{Reg(pre + "7_MSP2_PEAK_NB"), corrPeak2Nb})
	}
	mask := 0
	for i, c := range p.MultiSF {
		if c.Enable {
			mask |= 1 << i
		}
	}
	return append(ws,
		fv{Reg("RX_TOP_CORRELATOR_ENABLE_ONLY_FIRST_DET_EDGE_ENABLE_ONLY_FIRST_DET_EDGE"), 0xFF},
		fv{Reg("RX_TOP_CORRELATOR_ENABLE_ACC_CLEAR_ENABLE_CORR_ACC_CLEAR"), 0xFF},
		fv{RxTopCorrSFEn, multiSFAllSF}, fv{RxTopCorrClockEn, mask}, fv{RxTopCorrEn, mask})
}

// Frequency tracking and fine timing modes of the demodulators.
const (
	freqTrackOff      = 0
	freqTrackAuto     = 3
	fineTimingLinear  = 2
	dftPeakAuto       = 3
	modemSyncDelta    = 126 // correlator-to-modem coarse sync, in samples
	multiSFPreambleNb = 10  // covers 12 symbols at SF5/6 and 8 at SF7-12
)

// multiSFModems tunes the 16 multi-SF modems: filters and gain, coarse and
// per-channel fine sync, clock drift (PPM offset) at SF11/12, timing and
// frequency tracking gains per SF (set A: best demodulation; set B: best
// timestamp, used by dual demodulation), preamble length and the
// frequency-to-time drift of radio A's centre frequency.
func multiSFModems(radioA uint32) []fv {
	ws := []fv{
		{Reg("RX_TOP_DC_NOTCH_CFG1_ENABLE"), 0}, {Reg("RX_TOP_RX_DFE_AGC1_FORCE_DEFAULT_FIR"), 1},
		{Reg("RX_TOP_DAGC_CFG_GAIN_DROP_COMP"), 1}, {Reg("RX_TOP_DAGC_CFG_TARGET_LVL"), 1},
		{OTPModemEn0, 0xFF}, {OTPModemEn1, 0xFF},
		{Reg("RX_TOP_MODEM_SYNC_DELTA_MSB_MODEM_SYNC_DELTA"), modemSyncDelta >> 8},
		{Reg("RX_TOP_MODEM_SYNC_DELTA_LSB_MODEM_SYNC_DELTA"), modemSyncDelta & 0xFF},
	}
	// Fine sync offset of channel i: 1, 5, 9, 13, repeating every four.
	for i := 0; i < 8; i++ {
		ws = append(ws, fv{Reg(fmt.Sprintf("ARB_MCU_CHANNEL_SYNC_OFFSET_%d%d_CHANNEL_%d_OFFSET", i&^1, i|1, i)), 1 + 4*(i%4)})
	}
	for sf := 5; sf <= 12; sf++ {
		ppm := 0
		if sf >= 11 { // BW125: clock drift compensation at SF11 and SF12
			ppm = 1
		}
		ws = append(ws, fv{Reg(fmt.Sprintf("RX_TOP_MODEM_PPM_OFFSET%d_PPM_OFFSET_SF%d", 1+(sf-5)/4, sf)), ppm})
	}
	ws = append(ws,
		// Timing gains that help SF5/6 and SF11/12; one-bin frequency
		// correction threshold.
		fv{Reg("RX_TOP_FINE_TIMING_A_1_GAIN_P_AUTO"), 3}, fv{Reg("RX_TOP_FINE_TIMING_A_1_GAIN_P_PAYLOAD"), 3},
		fv{Reg("RX_TOP_FINE_TIMING_A_5_GAIN_I_EN_SF11"), 1}, fv{Reg("RX_TOP_FINE_TIMING_A_5_GAIN_I_EN_SF12"), 1},
		fv{Reg("RX_TOP_FREQ_TRACK4_FREQ_SYNCH_THR"), 15})
	for sf := 5; sf <= 12; sf++ {
		ws = append(ws, fv{Reg(fmt.Sprintf("RX_TOP_FREQ_TRACK_A_%d_FREQ_TRACK_EN_SF%d", (sf-5)/4, sf)), freqTrackAuto})
	}
	for sf := 5; sf <= 12; sf++ {
		ws = append(ws, fv{Reg(fmt.Sprintf("RX_TOP_FREQ_TRACK_B_%d_FREQ_TRACK_EN_SF%d", (sf-5)/4, sf)), freqTrackOff})
	}
	mant, exp := freqToTimeDrift(radioA, hal.BW125)
	return append(ws,
		fv{Reg("RX_TOP_FINE_TIMING_B_5_GAIN_I_EN_SF11"), 0}, fv{Reg("RX_TOP_FINE_TIMING_B_5_GAIN_I_EN_SF12"), 0},
		fv{Reg("RX_TOP_FINE_TIMING_B_0_ROUNDING"), 1}, fv{Reg("RX_TOP_FINE_TIMING_B_0_MODE"), fineTimingLinear},
		fv{Reg("RX_TOP_FINE_TIMING_B_1_GAIN_P_AUTO"), 0}, fv{Reg("RX_TOP_FINE_TIMING_B_1_GAIN_P_PREAMB"), 6},
		fv{Reg("RX_TOP_FINE_TIMING_B_1_GAIN_P_PAYLOAD"), 2},
		fv{Reg("RX_TOP_FINE_TIMING_B_2_GAIN_I_AUTO"), 0}, fv{Reg("RX_TOP_FINE_TIMING_B_2_GAIN_I_PREAMB"), 1},
		fv{Reg("RX_TOP_FINE_TIMING_B_2_GAIN_I_PAYLOAD"), 0},
		fv{RxTopPreambleMSB, multiSFPreambleNb >> 8}, fv{RxTopPreambleLSB, multiSFPreambleNb & 0xFF},
		fv{Reg("RX_TOP_FREQ_TO_TIME0_FREQ_TO_TIME_DRIFT_MANT"), mant >> 8},
		fv{Reg("RX_TOP_FREQ_TO_TIME1_FREQ_TO_TIME_DRIFT_MANT"), mant & 0xFF},
		fv{Reg("RX_TOP_FREQ_TO_TIME2_FREQ_TO_TIME_DRIFT_EXP"), exp},
		fv{Reg("RX_TOP_FREQ_TO_TIME3_FREQ_TO_TIME_INVERT_TIME_SYMB"), 1},
		fv{Reg("RX_TOP_RX_CFG0_DFT_PEAK_EN"), dftPeakAuto})
}

// freqToTimeDrift is the modems' frequency-to-time drift factor for a
// radio centred at f: BW * 2^20 / f, as a mantissa normalised to at least
// 2048 and the number of doublings that took (the chip divides it back).
func freqToTimeDrift(f uint32, bw hal.Bandwidth) (mant, exp int) {
	m := uint64(bw) << 20 / uint64(f)
	for m < 2048 {
		m <<= 1
		exp++
	}
	return int(m), exp
}

// serviceCorrelator sets the LoRa service channel's detection: fine sync
// at SF5/6 only.
func serviceCorrelator(r hal.DataRate) []fv {
	fine := 0
	if r.SpreadingFactor <= 6 {
		fine = 1
	}
	const svc = "RX_TOP_LORA_SERVICE_FSK_"
	return []fv{
		{Reg(svc + "DETECT_MSP2_MSP_PEAK_NB"), corrPeakNb}, {Reg(svc + "DETECT_MSP2_MSP2_PEAK_NB"), corrPeak2Nb},
		{Reg(svc + "DETECT_ACC1_USE_GAIN_SYMB"), 1},
		{Reg(svc + "TXRX_CFG2_FINE_SYNCH_EN"), fine}, {Reg(svc + "DETECT_ACC1_ACC_PNR"), corrAccPNR},
	}
}

// The service modem's implicit-header settings, as the reference
// configurations give them (used only if implicit header were enabled).
const (
	svcImplicitLen = 17
	svcImplicitCR  = 1 // 4/5
)

// serviceModem tunes the LoRa service modem for its one SF and bandwidth:
// timing gains by SF (and bandwidth at SF11/12), explicit header, clock
// drift compensation, preamble length (12 at SF5/6, 8 above), the
// frequency-to-time drift of radio A, then starts it.
func serviceModem(r hal.DataRate, radioA uint32) []fv {
	sf := int(r.SpreadingFactor)
	preamb, gainIEn := 6, 0
	switch {
	case sf <= 6:
		preamb = 4
	case sf >= 11:
		preamb = 7
		gainIEn = map[hal.Bandwidth]int{hal.BW125: 1, hal.BW250: 2, hal.BW500: 3}[r.Bandwidth]
	}
	ppm, pre := 0, 8
	if r.LowDataRateOptimize() {
		ppm = 1
	}
	if sf <= 6 {
		pre = 12
	}
	mant, exp := freqToTimeDrift(radioA, r.Bandwidth)
	const svc = "RX_TOP_LORA_SERVICE_FSK_"
	return []fv{
		{Reg(svc + "DC_NOTCH_CFG1_ENABLE"), 0}, {Reg(svc + "RX_DFE_AGC1_FORCE_DEFAULT_FIR"), 1},
		{Reg(svc + "DAGC_CFG_GAIN_DROP_COMP"), 1}, {Reg(svc + "DAGC_CFG_TARGET_LVL"), 1},
		{Reg(svc + "FINE_TIMING1_GAIN_P_AUTO"), 3}, {Reg(svc + "FINE_TIMING2_GAIN_I_PAYLOAD"), 3},
		{Reg(svc + "FINE_TIMING1_GAIN_P_PREAMB"), preamb}, {Reg(svc + "FINE_TIMING2_GAIN_I_EN"), gainIEn},
		{Reg(svc + "TXRX_CFG2_IMPLICIT_HEADER"), 0}, {Reg(svc + "TXRX_CFG2_CRC_EN"), 0},
		{Reg(svc + "TXRX_CFG1_CODING_RATE"), svcImplicitCR}, {Reg(svc + "TXRX_CFG3_PAYLOAD_LENGTH"), svcImplicitLen},
		{SvcModemSF, sf}, {SvcModemBW, bwCode(r.Bandwidth)}, {SvcPPMOffset, ppm},
		{Reg(svc + "TXRX_CFG7_PREAMBLE_SYMB_NB"), pre >> 8}, {Reg(svc + "TXRX_CFG6_PREAMBLE_SYMB_NB"), pre & 0xFF},
		{Reg(svc + "FREQ_TO_TIME0_FREQ_TO_TIME_DRIFT_MANT"), mant >> 8},
		{Reg(svc + "FREQ_TO_TIME1_FREQ_TO_TIME_DRIFT_MANT"), mant & 0xFF},
		{Reg(svc + "FREQ_TO_TIME2_FREQ_TO_TIME_DRIFT_EXP"), exp},
		{Reg(svc + "FREQ_TO_TIME3_FREQ_TO_TIME_INVERT_TIME_SYMB"), 1},
		{Reg(svc + "RX_DFE_AGC2_DAGC_IN_COMP"), 1},
		{SvcModemEn, 1}, {Reg(svc + "TXRX_CFG2_CADRXTX"), 1}, {SvcModemStart, 1},
		{Reg(svc + "RX_CFG0_DFT_PEAK_EN"), dftPeakAuto},
	}
}

// FSK receive settings of the reference configurations.
const (
	FSKSyncWord     = 0xC194C1 // the LoRaWAN FSK sync word
	fskSyncWordSize = 3        // bytes
	fskDCFreeWhite  = 2        // data whitening
	fskErrorOSRTol  = 10
	fskTimeout      = 128
	fskGaussianBT05 = 2 // TX Gaussian filter BT = 0.5
)

// fskModem sets the FSK modem: sync word (left-aligned in 64 bits), bit
// rate, 125 kHz channel, variable length with CCITT CRC and whitening, the
// oversampling error tolerance and the RX timeout.
func fskModem(bitRate uint32) []fv {
	const svc = "RX_TOP_LORA_SERVICE_FSK_"
	ws := []fv{{FSKPSize, fskSyncWordSize - 1}}
	sw := uint64(FSKSyncWord) << (8 * (8 - fskSyncWordSize))
	for i := 0; i < 8; i++ {
		ws = append(ws, fv{Reg(fmt.Sprintf(svc+"FSK_REF_PATTERN_BYTE%d_FSK_REF_PATTERN", i)), int(byte(sw >> (8 * i)))})
	}
	br := 32000000 / bitRate
	return append(ws, fv{FSKBitRateMSB, int(br >> 8 & 0xFF)}, fv{FSKBitRateLSB, int(br & 0xFF)}, fv{FSKChBWExpo, 3},
		fv{Reg(svc + "FSK_CFG_3_RX_INVERT"), 0}, fv{Reg(svc + "FSK_CFG_3_MODEM_INVERT_IQ"), 0},
		fv{Reg(svc + "FSK_CFG_4_RSSI_LENGTH"), 4}, fv{FSKPktMode, 1}, fv{FSKCRCEn, 1},
		fv{Reg(svc + "FSK_CFG_0_DCFREE_ENC"), fskDCFreeWhite}, fv{Reg(svc + "FSK_CFG_0_CRC_IBM"), 0},
		fv{Reg(svc + "FSK_CFG_4_ERROR_OSR_TOL"), fskErrorOSRTol}, fv{FSKPktLength, 255},
		fv{Reg(svc + "FSK_NODE_ADRS_NODE_ADRS"), 0}, fv{Reg(svc + "FSK_BROADCAST_BROADCAST"), 0},
		fv{Reg(svc + "FSK_CFG_3_AUTO_AFC"), 1},
		fv{Reg(svc + "FSK_TIMEOUT_MSB_TIMEOUT"), fskTimeout >> 8}, fv{Reg(svc + "FSK_TIMEOUT_LSB_TIMEOUT"), fskTimeout & 0xFF})
}

// syncWords sets the LoRa sync word peak positions: public 6/8, private
// 2/4; SF5/6 always use 2/4, in the multi-SF and the service modems.
func syncWords(public bool, serviceSF uint8) []fv {
	p1, p2 := 2, 4
	if public {
		p1, p2 = 6, 8
	}
	s1, s2 := p1, p2
	if serviceSF == 5 || serviceSF == 6 {
		s1, s2 = 2, 4
	}
	return []fv{{RxTopPeak1SF5, 2}, {RxTopPeak2SF5, 4}, {RxTopPeak1SF6, 2}, {RxTopPeak2SF6, 4},
		{RxTopPeak1SF7to12, p1}, {RxTopPeak2SF7to12, p2}, {SvcPeak1, s1}, {SvcPeak2, s2}}
}

// ifReg encodes an IF offset into the MSB (5-bit) and LSB fields.
func ifReg(ifHz int32) (int, int) {
	v := int(int64(ifHz) * 32 / 15625)
	u := v & 0x1FFF
	return u >> 8, u & 0xFF
}

// bwCode is the chip's bandwidth code (4 125 kHz, 5 250 kHz, 6 500 kHz).
func bwCode(bw hal.Bandwidth) int {
	switch bw {
	case 250000:
		return 5
	case 500000:
		return 6
	}
	return 4
}
