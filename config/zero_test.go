package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// zeroMeans lists the durations where "0s" is meaningful and honoured;
// every other duration key must refuse "0s" by name, never turn it into
// its default.
var zeroMeans = map[string]string{
	"multicast.min_start_lead":    "a session may start now",
	"concentrator.sim.gps_jitter": "no jitter",
}

// durationKeys walks the configuration struct for Duration fields.
func durationKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := prefix + f.Tag.Get("toml")
		switch {
		case f.Type == reflect.TypeFor[Duration]():
			keys = append(keys, key)
		case f.Type.Kind() == reflect.Struct:
			keys = append(keys, durationKeys(f.Type, key+".")...)
		}
	}
	return keys
}

func TestZeroDurationsHonouredOrRefused(t *testing.T) {
	keys := durationKeys(reflect.TypeFor[Config](), "")
	if len(keys) < 8 {
		t.Fatalf("found %d duration keys: %v", len(keys), keys)
	}
	for _, key := range keys {
		dot := strings.LastIndexByte(key, '.')
		cfg, err := Parse("[" + key[:dot] + "]\n" + key[dot+1:] + " = \"0s\"\n")
		if _, ok := zeroMeans[key]; ok {
			if err != nil {
				t.Errorf("%s = 0s (%s) refused: %v", key, zeroMeans[key], err)
				continue
			}
			if v := lookup(reflect.ValueOf(cfg), key); v != 0 {
				t.Errorf("%s = 0s became %v", key, v)
			}
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Key != key {
			t.Errorf("%s = 0s: %v, want an error naming %s", key, err, key)
		}
	}
}

// lookup returns the Duration at a dotted key.
func lookup(v reflect.Value, key string) Duration {
	for _, part := range strings.Split(key, ".") {
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Tag.Get("toml") == part {
				v = v.Field(i)
				break
			}
		}
	}
	return v.Interface().(Duration)
}
