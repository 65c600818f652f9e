package sx1302

import "github.com/lgwagent/lgw/hal"

// configure programs timestamp mode, front end, channelizer, correlators,
// modems and sync words from the plan, then enables the modems and RX
// (bringup §3.2 steps 7-13; the modems must be enabled before the MCUs
// start). d.mu is held.
func (d *Dev) configure() error {
	p := &d.opts.Plan
	// Legacy (end-of-packet) timestamps, as the SX1301 (rxtx §1.6).
	fv := []any{RxTopLegacyTimestamp, 1, GPIODirL, 0x7F,
		AGCLUTAPA, 0x04, AGCLUTALNA, 0x02, AGCLUTBPA, 0x04, AGCLUTBLNA, 0x02,
		RadioFERSSIBBAlphaA, 3, RadioFERSSIDecAlphaA, 7, RadioFERSSIDBDefA, 23, RadioFERSSIDecDefA, 66,
		RadioFEDCNotchA, 1, RadioFEHostFilterA, 0x0B,
		RadioFERSSIBBAlphaB, 3, RadioFERSSIDecAlphaB, 7, RadioFERSSIDBDefB, 23, RadioFERSSIDecDefB, 66,
		RadioFEDCNotchB, 1, RadioFEHostFilterB, 0x0B,
	}
	if d.fine {
		// Precision mode: early latch and up to 32 metric pairs per record
		// (rxtx §1.6, bringup §5.1).
		fv = append(fv, RxTopLegacyTimestamp, 0, RxTopMaxTSMetrics, 32, RxTopTimestampEnable, 1, RxTopTimestampNbSymb, 0)
	}
	// Channelizer: radio selection and IF of chains 0-7 (13-bit two's
	// complement, 488.28125 Hz per LSB, MSB field 5 bits).
	sel, mask := 0, 0
	for i, c := range p.MultiSF {
		if !c.Enable {
			continue
		}
		mask |= 1 << i
		sel |= int(c.Radio) << i
		msb, lsb := ifReg(c.IF)
		fv = append(fv, RxTopFreq0MSB.At(2*i), msb, RxTopFreq0LSB.At(2*i), lsb)
	}
	fv = append(fv, RxTopRadioSelect, sel, RxTopRSSIFilterAlpha, 5, RxTopRSSIDefValue, 85,
		RxTopDAGCMode, 1, RxTopDAGCThreshHigh, 255, RxTopDAGCThreshLow, 0)
	// Correlators: same detection constants for every SF, all SFs on.
	for sf := 0; sf < 8; sf++ {
		fv = append(fv, RxTopSF5AccPNR.At(7*sf), 52, RxTopSF5MSPPNR.At(7*sf), 24)
	}
	fv = append(fv, RxTopCorrSFEn, 0xFF, RxTopCorrEn, mask, RxTopCorrClockEn, mask,
		RxTopPreambleLSB, 10, RxTopPreambleMSB, 0, OTPModemEn0, 0xFF, OTPModemEn1, 0xFF)
	// Sync word peaks: public 6/8, private 2/4; SF5/SF6 always 2/4.
	p1, p2 := 6, 8
	if d.opts.PrivateSyncWord {
		p1, p2 = 2, 4
	}
	fv = append(fv, RxTopPeak1SF7to12, p1, RxTopPeak2SF7to12, p2, RxTopPeak1SF5, 2, RxTopPeak2SF5, 4,
		RxTopPeak1SF6, 2, RxTopPeak2SF6, 4)
	if c := p.Service; c.Enable {
		msb, lsb := ifReg(c.IF)
		r := p.ServiceRate
		ppm := 0
		if r.LowDataRateOptimize() {
			ppm = 1
		}
		s1, s2 := p1, p2
		if r.SpreadingFactor < 7 {
			s1, s2 = 2, 4
		}
		fv = append(fv, SvcFreqMSB, msb, SvcFreqLSB, lsb, SvcRadioSelect, int(c.Radio),
			SvcModemSF, int(r.SpreadingFactor), SvcModemBW, bwCode(r.Bandwidth), SvcPPMOffset, ppm,
			SvcPeak1, s1, SvcPeak2, s2, SvcModemEn, 1, SvcModemStart, 1)
	}
	if c := p.FSK; c.Enable {
		msb, lsb := ifReg(c.IF)
		br := 32000000 / p.FSKBitRate
		fv = append(fv, FSKFreqMSB, msb, FSKFreqLSB, lsb, FSKRadioSelect, int(c.Radio),
			FSKPktMode, 1, FSKCRCEn, 1, FSKChBWExpo, 3, FSKPSize, 2, FSKPktLength, 255,
			FSKBitRateMSB, int(br>>8&0xFF), FSKBitRateLSB, int(br&0xFF))
		// Default sync word 0xC194C1, left-aligned in 64 bits.
		for i, b := range []int{0xC1, 0x94, 0xC1} {
			fv = append(fv, FSKRefPattern7.At(i), b)
		}
	}
	b := func(on bool) int {
		if on {
			return 1
		}
		return 0
	}
	fv = append(fv, CommonConcModemEn, 1, CommonMBWSSFModemEn, b(p.Service.Enable),
		CommonFSKModemEn, b(p.FSK.Enable), CommonGlobalEn, 1)
	return d.setAll(fv...)
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
