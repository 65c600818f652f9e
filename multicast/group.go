package multicast

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/lgwagent/lgw/apierr"
)

// Limits of the cloud API on the descriptive group fields
// (CreateMulticastGroup, ListMulticastGroups).
const (
	MaxNameLen        = 256
	MaxDescriptionLen = 2048
	MaxTags           = 200
	MaxTagKeyLen      = 128
	MaxTagValueLen    = 256
	MaxTokenLen       = 64
	// DefaultMaxResults is the page size of ListMulticastGroups when
	// MaxResults is absent or 0; it is also the largest allowed.
	DefaultMaxResults = 250
	maxNextTokenLen   = 4096
	// DefaultSessionTimeout is the SessionTimeout (s) a session takes
	// when StartMulticastGroupSession omits it: a power of two valid for
	// both classes (68 min).
	DefaultSessionTimeout = 4096
)

// EpochSeconds is a time written in JSON as Unix seconds, as the cloud
// API writes CreatedAt.
type EpochSeconds time.Time

// MarshalJSON writes Unix seconds with up to millisecond precision.
func (e EpochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads Unix seconds.
func (e *EpochSeconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*e = EpochSeconds(time.UnixMilli(int64(f*1000 + 0.5)).UTC())
	return nil
}

// groupMeta is what a group carries beyond its LoRaWAN parameters.
type groupMeta struct {
	name, description string
	tags              []Tag
	gateways          *ParticipatingGateways
	defaults          *DefaultSessionParameters
	created           time.Time
	// token is the ClientRequestToken of the creation and requestHash the
	// SHA-256 of its body, so a retry can be told from a new request.
	token, requestHash string
}

// checkMeta validates the descriptive fields of a CreateMulticastGroup.
func checkMeta(in CreateGroupInput) error {
	if t := in.ClientRequestToken; t != "" {
		if len(t) > MaxTokenLen {
			return apierr.Newf(apierr.Validation, "ClientRequestToken", "longer than %d characters", MaxTokenLen)
		}
		for _, c := range t {
			if !(c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
				return apierr.Newf(apierr.Validation, "ClientRequestToken", "only letters, digits, '-' and '_' are allowed")
			}
		}
	}
	if n := utf8.RuneCountInString(in.Name); n > MaxNameLen {
		return apierr.Newf(apierr.Validation, "Name", "%d characters, at most %d", n, MaxNameLen)
	}
	if n := utf8.RuneCountInString(in.Description); n > MaxDescriptionLen {
		return apierr.Newf(apierr.Validation, "Description", "%d characters, at most %d", n, MaxDescriptionLen)
	}
	if len(in.Tags) > MaxTags {
		return apierr.Newf(apierr.Validation, "Tags", "%d tags, at most %d", len(in.Tags), MaxTags)
	}
	for i, t := range in.Tags {
		if k := utf8.RuneCountInString(t.Key); k < 1 || k > MaxTagKeyLen {
			return apierr.Newf(apierr.Validation, "Tags["+strconv.Itoa(i)+"].Key", "want 1 to %d characters", MaxTagKeyLen)
		}
		if v := utf8.RuneCountInString(t.Value); v > MaxTagValueLen {
			return apierr.Newf(apierr.Validation, "Tags["+strconv.Itoa(i)+"].Value", "at most %d characters", MaxTagValueLen)
		}
	}
	if pg := in.LoRaWAN.ParticipatingGateways; pg != nil {
		if len(pg.GatewayList) > 20 {
			return apierr.Newf(apierr.Validation, "LoRaWAN.ParticipatingGateways.GatewayList", "%d gateways, at most 20", len(pg.GatewayList))
		}
		if ti := pg.TransmissionInterval; ti != nil && (*ti < 0 || *ti > 60000) {
			return apierr.Newf(apierr.Validation, "LoRaWAN.ParticipatingGateways.TransmissionInterval", "%d ms is out of range 0 to 60000", *ti)
		}
	}
	return nil
}

// requestHash identifies a CreateMulticastGroup body for idempotency. It
// is a hash: the stored value reveals no key.
func requestHash(in CreateGroupInput) string {
	b, _ := json.Marshal(in) // plain structs: cannot fail
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// pageSize reads MaxResults.
func pageSize(in ListGroupsInput) (int, error) {
	if in.MaxResults == nil || *in.MaxResults == 0 {
		return DefaultMaxResults, nil
	}
	if n := *in.MaxResults; n < 0 || n > DefaultMaxResults {
		return 0, apierr.Newf(apierr.Validation, "MaxResults", "%d is out of range 0 to %d", n, DefaultMaxResults)
	}
	return *in.MaxResults, nil
}

// The NextToken of ListMulticastGroups is the last Id of the page,
// base64url-encoded: the next page starts after it, whatever was created
// or deleted in between.
func encodePageToken(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + lastID))
}

func decodePageToken(tok string) (string, error) {
	bad := apierr.Newf(apierr.Validation, "NextToken", "not a token of this gateway's ListMulticastGroups")
	if len(tok) > maxNextTokenLen {
		return "", bad
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < len("after:") || string(b[:6]) != "after:" {
		return "", bad
	}
	return string(b[6:]), nil
}

// checkDefaults validates a group's DefaultSessionParameters against its
// region.
func checkDefaults(p groupParams, d *DefaultSessionParameters) error {
	if d == nil {
		return nil
	}
	rename := func(err error, field string) error {
		if e, ok := err.(*apierr.Error); ok {
			c := *e
			c.Field = field
			return &c
		}
		return err
	}
	if d.DlDr != nil {
		if err := checkDlDr(p.region, *d.DlDr); err != nil {
			return rename(err, "LoRaWAN.DefaultSessionParameters.DlDr")
		}
	}
	if d.DlFreq != nil {
		if err := checkDlFreq(p.region, *d.DlFreq); err != nil {
			return rename(err, "LoRaWAN.DefaultSessionParameters.DlFreq")
		}
	}
	return nil
}

// describes reports whether a repeated CreateMulticastGroup (same Id, no
// token) asks for the same descriptive fields.
func (gm groupMeta) describes(in CreateGroupInput) bool {
	a, _ := json.Marshal([]any{gm.name, gm.description, gm.tags, gm.gateways, gm.defaults})
	b, _ := json.Marshal([]any{in.Name, in.Description, in.Tags, in.LoRaWAN.ParticipatingGateways, in.LoRaWAN.DefaultSessionParameters})
	return string(a) == string(b)
}

// toRec copies the descriptive fields into a stored group.
func (gm groupMeta) toRec(r *groupRec) {
	r.Name, r.Description, r.Tags = gm.name, gm.description, gm.tags
	r.ParticipatingGateways, r.DefaultSessionParameters = gm.gateways, gm.defaults
	r.CreatedAt, r.ClientRequestToken, r.RequestHash = gm.created, gm.token, gm.requestHash
}

// metaFromRec reads the descriptive fields of a stored group.
func metaFromRec(r groupRec) groupMeta {
	return groupMeta{name: r.Name, description: r.Description, tags: r.Tags, gateways: r.ParticipatingGateways,
		defaults: r.DefaultSessionParameters, created: r.CreatedAt, token: r.ClientRequestToken, requestHash: r.RequestHash}
}

// ListAll pages through ListMulticastGroups and returns every group.
func ListAll(ctx context.Context, api API) ([]GroupOutput, error) {
	var all []GroupOutput
	in := ListGroupsInput{}
	for {
		l, err := api.ListMulticastGroups(ctx, in)
		if err != nil {
			return nil, err
		}
		all = append(all, l.List...)
		if l.NextToken == "" {
			return all, nil
		}
		in.NextToken = l.NextToken
	}
}
