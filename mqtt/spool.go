package mqtt

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Spool defaults.
const (
	// DefaultSpoolMax bounds the records waiting in the spool.
	DefaultSpoolMax = 10000
	// spoolMaxBytes bounds the bytes waiting in the spool.
	spoolMaxBytes = 32 << 20
	// spoolSegment is the size after which a new segment file starts.
	spoolSegment = 1 << 20
	// spoolSyncEvery and spoolSyncRecords batch the fsyncs.
	spoolSyncRecords = 64
	spoolAckFile     = "acked"
	spoolExt         = ".spool"
	// maxRecord bounds one record on disk (a command body is 64 KiB).
	maxRecord = 1 << 20
)

// spoolRec is one message in the spool.
type spoolRec struct {
	Seq     uint64 `json:"s"`
	Kind    kind   `json:"k"`
	Topic   string `json:"t"`
	ID      string `json:"i,omitempty"`
	Payload []byte `json:"p"`

	sent, acked bool
	seg         *segment
}

// segment is one spool file; records are appended, never rewritten.
type segment struct {
	path  string
	first uint64
	last  uint64
	size  int64
	live  int // records not yet acknowledged
}

// spool keeps the reports and responses waiting for the broker on disk, in
// order, so they survive a broker outage of any length (up to the bound)
// and a crash or restart of lgw. Records are written at once (a SIGKILL
// keeps them: they are in the page cache) and fsynced in batches by the
// client's flush loop (a power cut loses at most one batch). Delivery is
// at least once: a record acknowledged by the broker just before a crash
// may be published again after the restart.
type spool struct {
	dir string
	max int

	mu       sync.Mutex
	recs     []*spoolRec // unacknowledged, in order
	segs     []*segment
	cur      *os.File
	curSeg   *segment
	ack      *os.File
	acked    uint64 // every record up to this seq is acknowledged
	nextSeq  uint64
	bytes    int64
	unsynced int
	dirty    bool // the directory or the ack file needs an fsync
	// pending holds a token while something waits for an fsync (a
	// record written, a segment created or the acknowledged sequence
	// moved): the flush loop sleeps on it instead of polling.
	pending chan struct{}
	dropped uint64
	errors  uint64
	lastErr error
}

// openSpool opens or creates the spool in dir and reloads what a previous
// run left unacknowledged. A torn record at the end of a segment (a crash
// mid-write) is cut off; a corrupt one ends that segment's reading.
func openSpool(dir string, max int) (*spool, []string, error) {
	if max <= 0 {
		max = DefaultSpoolMax
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("spool: %w", err)
	}
	s := &spool{dir: dir, max: max, nextSeq: 1, pending: make(chan struct{}, 1)}
	ack, err := os.OpenFile(filepath.Join(dir, spoolAckFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("spool: %w", err)
	}
	s.ack = ack
	s.acked = readAck(ack)
	warnings, err := s.reload()
	if err != nil {
		ack.Close()
		return nil, nil, err
	}
	return s, warnings, nil
}

// readAck reads the acknowledged sequence (0 when absent or torn: the
// records are then published again, never lost).
func readAck(f *os.File) uint64 {
	var b [12]byte
	if _, err := f.ReadAt(b[:], 0); err != nil {
		return 0
	}
	if crc32.ChecksumIEEE(b[:8]) != binary.LittleEndian.Uint32(b[8:]) {
		return 0
	}
	return binary.LittleEndian.Uint64(b[:8])
}

func (s *spool) reload() ([]string, error) {
	names, err := filepath.Glob(filepath.Join(s.dir, "*"+spoolExt))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	sort.Strings(names)
	var warnings []string
	s.nextSeq = s.acked + 1
	for _, n := range names {
		seg := &segment{path: n}
		recs, good, err := readSegment(n)
		if err != nil {
			warnings = append(warnings, err.Error())
		}
		if fi, serr := os.Stat(n); serr == nil && fi.Size() > good {
			if terr := os.Truncate(n, good); terr != nil {
				warnings = append(warnings, fmt.Sprintf("truncate %s: %v", n, terr))
			}
		}
		seg.size = good
		for _, r := range recs {
			if seg.first == 0 {
				seg.first = r.Seq
			}
			seg.last = r.Seq
			if r.Seq >= s.nextSeq {
				s.nextSeq = r.Seq + 1
			}
			if r.Seq <= s.acked {
				continue
			}
			r.seg = seg
			seg.live++
			s.recs = append(s.recs, r)
			s.bytes += int64(len(r.Payload))
		}
		if seg.live == 0 {
			_ = os.Remove(n)
			continue
		}
		s.segs = append(s.segs, seg)
	}
	sort.SliceStable(s.recs, func(i, j int) bool { return s.recs[i].Seq < s.recs[j].Seq })
	return warnings, nil
}

// readSegment returns a segment's valid records and the length they span.
func readSegment(path string) ([]*spoolRec, int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("spool: %w", err)
	}
	var recs []*spoolRec
	off := int64(0)
	for len(b) > 0 {
		if len(b) < 8 {
			return recs, off, nil // torn header at the tail
		}
		n := binary.LittleEndian.Uint32(b[:4])
		if n > maxRecord || int(n) > len(b)-8 {
			return recs, off, nil // torn (or absurd) record at the tail
		}
		body := b[8 : 8+n]
		if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(b[4:8]) {
			return recs, off, fmt.Errorf("spool %s: bad record at offset %d, rest of the segment skipped", path, off)
		}
		var r spoolRec
		if err := json.Unmarshal(body, &r); err != nil || r.Seq == 0 {
			return recs, off, fmt.Errorf("spool %s: bad record at offset %d, rest of the segment skipped", path, off)
		}
		recs = append(recs, &r)
		off += 8 + int64(n)
		b = b[8+n:]
	}
	return recs, off, nil
}

// append writes a record; the returned ids are those of the oldest records
// dropped to stay within the bound. An error means the record is not in
// the spool (the caller keeps it in memory).
func (s *spool) append(k kind, topic, id string, payload []byte) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &spoolRec{Seq: s.nextSeq, Kind: k, Topic: topic, ID: id, Payload: payload}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("spool: encode: %w", err)
	}
	if err := s.writeRecord(r, body); err != nil {
		s.errors++
		s.lastErr = err
		return nil, err
	}
	s.nextSeq++
	s.recs = append(s.recs, r)
	s.bytes += int64(len(payload))
	// The oldest go first, as the acknowledged prefix on disk records
	// (one in flight may still reach the broker: it is named lost all the
	// same).
	var dropped []string
	for len(s.recs) > 1 && (len(s.recs) > s.max || s.bytes > spoolMaxBytes) {
		old := s.recs[0]
		old.acked = true
		s.dropped++
		dropped = append(dropped, old.ID)
		s.settle()
	}
	return dropped, nil
}

func (s *spool) writeRecord(r *spoolRec, body []byte) error {
	if s.cur == nil || s.curSeg.size >= spoolSegment {
		if err := s.rotate(r.Seq); err != nil {
			return err
		}
	}
	buf := make([]byte, 8+len(body))
	binary.LittleEndian.PutUint32(buf[:4], uint32(len(body)))
	binary.LittleEndian.PutUint32(buf[4:8], crc32.ChecksumIEEE(body))
	copy(buf[8:], body)
	if _, err := s.cur.Write(buf); err != nil {
		// Cut the partial record so the segment stays readable.
		_ = s.cur.Truncate(s.curSeg.size)
		_, _ = s.cur.Seek(s.curSeg.size, io.SeekStart)
		return fmt.Errorf("spool write %s: %w", s.curSeg.path, err)
	}
	s.curSeg.size += int64(len(buf))
	if s.curSeg.first == 0 {
		s.curSeg.first = r.Seq
	}
	s.curSeg.last = r.Seq
	s.curSeg.live++
	r.seg = s.curSeg
	s.unsynced++
	s.signalLocked()
	return nil
}

// rotate starts a new segment for records from seq on.
func (s *spool) rotate(seq uint64) error {
	if s.cur != nil {
		if err := s.cur.Sync(); err != nil {
			return fmt.Errorf("spool fsync: %w", err)
		}
		s.cur.Close()
		s.cur = nil
	}
	p := filepath.Join(s.dir, fmt.Sprintf("%020d%s", seq, spoolExt))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.cur = f
	s.curSeg = &segment{path: p}
	s.segs = append(s.segs, s.curSeg)
	s.dirty = true
	s.signalLocked()
	return nil
}

// next returns the oldest record not yet handed out.
func (s *spool) next() (event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if !r.sent && !r.acked {
			r.sent = true
			return event{kind: r.Kind, topic: r.Topic, payload: r.Payload, spooled: r.Seq}, true
		}
	}
	return event{}, false
}

// done marks a record delivered (ok) or to be sent again.
func (s *spool) done(seq uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.Seq == seq {
			if ok {
				r.acked = true
			} else {
				r.sent = false
			}
			break
		}
	}
	s.settle()
}

// unsendAll makes every record not acknowledged go out again (after a
// connection loss, in order).
func (s *spool) unsendAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		r.sent = false
	}
}

// settle drops the acknowledged head, notes the acknowledged sequence and
// deletes the segments left without live records. Callers hold s.mu.
func (s *spool) settle() {
	moved := false
	for len(s.recs) > 0 && s.recs[0].acked {
		r := s.recs[0]
		s.recs[0] = nil
		s.recs = s.recs[1:]
		s.bytes -= int64(len(r.Payload))
		s.acked = r.Seq
		moved = true
		if r.seg != nil {
			r.seg.live--
		}
	}
	if !moved {
		return
	}
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], s.acked)
	binary.LittleEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
	if _, err := s.ack.WriteAt(b[:], 0); err != nil {
		s.errors++
		s.lastErr = fmt.Errorf("spool ack: %w", err)
	}
	s.dirty = true
	s.signalLocked()
	kept := s.segs[:0]
	for _, seg := range s.segs {
		if seg.live <= 0 && seg != s.curSeg {
			_ = os.Remove(seg.path)
			continue
		}
		kept = append(kept, seg)
	}
	s.segs = kept
}

// signalLocked tells the flush loop that something waits for an fsync.
// Callers hold s.mu.
func (s *spool) signalLocked() {
	select {
	case s.pending <- struct{}{}:
	default: // a token is already waiting
	}
}

// needSync reports whether a batch is due.
func (s *spool) needSync() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsynced >= spoolSyncRecords
}

// sync fsyncs what was written since the last call.
func (s *spool) sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	if s.unsynced > 0 && s.cur != nil {
		if err := s.cur.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("spool fsync: %w", err))
		}
		s.unsynced = 0
	}
	if s.dirty {
		if err := s.ack.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("spool fsync ack: %w", err))
		}
		if d, err := os.Open(s.dir); err == nil {
			if err := d.Sync(); err != nil {
				errs = append(errs, fmt.Errorf("spool fsync dir: %w", err))
			}
			d.Close()
		}
		s.dirty = false
	}
	err := errors.Join(errs...)
	if err != nil {
		s.errors++
		s.lastErr = err
	}
	return err
}

// close syncs and closes the files.
func (s *spool) close() error {
	err := s.sync()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
	}
	s.ack.Close()
	return err
}

// SpoolStats are the spool's figures in stats.mqtt.
type SpoolStats struct {
	// Dir is the spool directory; empty when the spool is off.
	Dir string `json:"dir,omitempty"`
	// Depth is the number of reports and responses waiting in it; Bytes
	// their size.
	Depth int   `json:"depth"`
	Bytes int64 `json:"bytes"`
	// Max is its bound in records.
	Max int `json:"max"`
	// Dropped counts records dropped past the bound (oldest first).
	Dropped uint64 `json:"dropped"`
	// Errors counts write and fsync failures; LastError is the latest.
	Errors    uint64 `json:"errors"`
	LastError string `json:"last_error,omitempty"`
}

func (s *spool) stats() SpoolStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SpoolStats{Dir: s.dir, Depth: len(s.recs), Bytes: s.bytes, Max: s.max, Dropped: s.dropped, Errors: s.errors}
	if s.lastErr != nil {
		st.LastError = s.lastErr.Error()
	}
	return st
}
