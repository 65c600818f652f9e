package sx1302

import (
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
)

// Radio is one RF chain's receive centre frequency; 0 disables it.
type Radio = chanplan.Radio

// IFChannel is one IF chain: the radio feeding it and its offset.
type IFChannel = chanplan.IFChannel

// Plan is the concentrator's channel plan (bringup §2.4 F/G); see package
// chanplan.
type Plan = chanplan.Plan

// Limits is what the SX1302/SX1303 with SX1250 radios receives.
var Limits = chanplan.SX1302

// PlanFor returns the region's default channel plan placed on the radios
// (see chanplan.ForRegion and chanplan.Resolve).
func PlanFor(r *region.Region) (Plan, error) {
	s, err := chanplan.ForRegion(r, 0)
	if err != nil {
		return Plan{}, err
	}
	return chanplan.Resolve(s, Limits)
}
