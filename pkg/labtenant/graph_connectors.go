package labtenant

import (
	"net/http"
	"strings"
)

func connectorJSON(c Connector) map[string]any {
	return map[string]any{
		"id": c.ID, "machineName": c.MachineName, "externalIp": c.ExternalIP,
		"status": c.Status, "version": c.Version,
	}
}

func groupJSON(g ConnectorGroup) map[string]any {
	return map[string]any{
		"id": g.ID, "name": g.Name, "connectorGroupType": g.ConnectorGroupType,
		"region": g.Region, "isDefault": g.IsDefault,
	}
}

func (st *State) members(groupID string) []map[string]any {
	out := []map[string]any{}
	for _, c := range st.Connectors {
		if equalFold(c.GroupID, groupID) {
			out = append(out, connectorJSON(c))
		}
	}
	return out
}

// graphProfiles serves /onPremisesPublishingProfiles/... . Only the
// applicationProxy profile exists in the lab; the segment is matched
// case-insensitively because Microsoft's own samples use both spellings.
func (s *Server) graphProfiles(w http.ResponseWriter, r *http.Request, c caller, segs []string) {
	if len(segs) == 0 {
		writeFail(w, r, unsupportedQuery("Listing onPremisesPublishingProfiles is not supported."))
		return
	}
	if !equalFold(segs[0], "applicationProxy") {
		writeFail(w, r, notFound(segs[0]))
		return
	}
	if fail := c.requireConnectorAccess(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	if r.Method != http.MethodGet {
		writeFail(w, r, graphMethodNotAllowed())
		return
	}
	base := s.baseURL(r) + "/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')"
	rest := segs[1:]
	if len(rest) == 0 {
		writeGraphJSON(w, http.StatusOK, map[string]any{
			"@odata.context":         s.baseURL(r) + "/beta/$metadata#onPremisesPublishingProfiles/$entity",
			"id":                     "applicationProxy",
			"isEnabled":              true,
			"isDefaultAccessEnabled": true,
			"hybridAgentUpdaterConfiguration": map[string]any{
				"allowUpdateConfigurationOverride": false, "deferUpdateDateTime": nil, "updateWindow": nil,
			},
		})
		return
	}
	switch strings.ToLower(rest[0]) {
	case "connectorgroups":
		s.connectorGroups(w, r, base, rest[1:])
	case "connectors":
		s.connectors(w, r, base, rest[1:])
	default:
		writeFail(w, r, segmentNotFound(rest[0]))
	}
}

func (s *Server) connectorGroups(w http.ResponseWriter, r *http.Request, base string, rest []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pageSize := s.settings.connectorPageSize()
	switch len(rest) {
	case 0:
		q, fail := parseOData(r, "$select", "$expand", "$top", "$skiptoken")
		if fail == nil {
			fail = s.checkMembersExpand(r, q)
		}
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		items := make([]map[string]any, 0, len(s.st.ConnectorGroups))
		for _, g := range s.st.ConnectorGroups {
			item, fail := s.groupView(g, q)
			if fail != nil {
				writeFail(w, r, fail)
				return
			}
			items = append(items, item)
		}
		s.writePage(w, r, base+"/connectorGroups", items, pageSize, q)
	case 1:
		q, fail := parseOData(r, "$select", "$expand")
		if fail == nil {
			fail = s.checkMembersExpand(r, q)
		}
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		g := s.st.group(rest[0])
		if g == nil {
			writeFail(w, r, notFound(rest[0]))
			return
		}
		item, fail := s.groupView(*g, q)
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		item["@odata.context"] = base + "/connectorGroups/$entity"
		writeGraphJSON(w, http.StatusOK, item)
	case 2:
		g := s.st.group(rest[0])
		if g == nil {
			writeFail(w, r, notFound(rest[0]))
			return
		}
		q, fail := parseOData(r, "$select", "$top", "$skiptoken")
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		var items []map[string]any
		typeName := "connector"
		switch strings.ToLower(rest[1]) {
		case "members":
			items = s.st.members(g.ID)
		case "applications":
			typeName = "application"
			for i := range s.st.Applications {
				if s.st.appGroupID(i) == g.ID {
					items = append(items, appJSON(&s.st.Applications[i], false))
				}
			}
		default:
			writeFail(w, r, segmentNotFound(rest[1]))
			return
		}
		for i := range items {
			if items[i], fail = project(items[i], q.selects, typeName); fail != nil {
				writeFail(w, r, fail)
				return
			}
		}
		s.writePage(w, r, base+"/connectorGroups('"+g.ID+"')/"+rest[1], items, pageSize, q)
	default:
		writeFail(w, r, segmentNotFound(rest[len(rest)-1]))
	}
}

// checkMembersExpand allows $expand=members only, and refuses even that
// while the reject-expand fault is active: whether Graph supports it on
// this collection is undocumented, so clients need a fallback.
func (s *Server) checkMembersExpand(r *http.Request, q odataQuery) *graphFail {
	for _, e := range q.expand {
		if !equalFold(e, "members") {
			return badRequest("Could not find a navigation property named '" + e + "' on type 'microsoft.graph.connectorGroup'.")
		}
		if _, reject := s.faults.take(FaultRejectExpand, r); reject {
			return unsupportedQuery("Unsupported query: expanding 'members' is not supported on this collection.")
		}
		if f, reject := s.faults.take(FaultRejectExpandBlank, r); reject {
			status := f.Status
			if status == 0 {
				status = http.StatusBadRequest
			}
			return &graphFail{status: status, code: "", message: "An error has occurred."}
		}
	}
	return nil
}

func (s *Server) groupView(g ConnectorGroup, q odataQuery) (map[string]any, *graphFail) {
	item, fail := project(groupJSON(g), q.selects, "connectorGroup")
	if fail != nil {
		return nil, fail
	}
	if len(q.expand) > 0 {
		item["members"] = s.st.members(g.ID)
	}
	return item, nil
}

func (s *Server) connectors(w http.ResponseWriter, r *http.Request, base string, rest []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pageSize := s.settings.connectorPageSize()
	switch len(rest) {
	case 0:
		q, fail := parseOData(r, "$select", "$top", "$skiptoken")
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		items := make([]map[string]any, 0, len(s.st.Connectors))
		for _, c := range s.st.Connectors {
			item, fail := project(connectorJSON(c), q.selects, "connector")
			if fail != nil {
				writeFail(w, r, fail)
				return
			}
			items = append(items, item)
		}
		s.writePage(w, r, base+"/connectors", items, pageSize, q)
	case 1:
		q, fail := parseOData(r, "$select")
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		c := s.st.connector(rest[0])
		if c == nil {
			writeFail(w, r, notFound(rest[0]))
			return
		}
		item, fail := project(connectorJSON(*c), q.selects, "connector")
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		item["@odata.context"] = base + "/connectors/$entity"
		writeGraphJSON(w, http.StatusOK, item)
	case 2:
		if !equalFold(rest[1], "memberOf") {
			writeFail(w, r, segmentNotFound(rest[1]))
			return
		}
		q, fail := parseOData(r, "$select", "$top", "$skiptoken")
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		c := s.st.connector(rest[0])
		if c == nil {
			writeFail(w, r, notFound(rest[0]))
			return
		}
		items := []map[string]any{}
		if g := s.st.group(c.GroupID); g != nil {
			item, fail := project(groupJSON(*g), q.selects, "connectorGroup")
			if fail != nil {
				writeFail(w, r, fail)
				return
			}
			items = append(items, item)
		}
		s.writePage(w, r, base+"/connectors('"+c.ID+"')/memberOf", items, pageSize, q)
	default:
		writeFail(w, r, segmentNotFound(rest[len(rest)-1]))
	}
}
