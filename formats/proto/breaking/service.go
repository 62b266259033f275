package breaking

// checkServices reports deleted services and RPCs, and RPCs whose request
// type, response type or streaming changed.
func (c *checker) checkServices() {
	for _, name := range sortedNames(c.oldIdx.services) {
		oldSvc := c.oldIdx.services[name]
		newSvc, ok := c.newIdx.services[c.newName(oldSvc)]
		if !ok {
			c.add(RuleServiceDeleted, c.deletedAt(oldSvc), string(name), "service %s was deleted", name)
			continue
		}
		methods := oldSvc.Methods()
		for i := 0; i < methods.Len(); i++ {
			om := methods.Get(i)
			el := string(om.FullName())
			nm := newSvc.Methods().ByName(om.Name())
			if nm == nil {
				c.add(RuleRPCDeleted, c.new.Position(newSvc), el, "rpc %s was deleted from service %s", om.Name(), name)
				continue
			}
			at := c.new.Position(nm)
			if o, n := om.Input().FullName(), nm.Input().FullName(); c.newName(om.Input()) != n {
				c.add(RuleRPCRequestTypeChanged, at, el, "rpc %s request type changed from %s to %s", om.FullName(), o, n)
			}
			if o, n := om.Output().FullName(), nm.Output().FullName(); c.newName(om.Output()) != n {
				c.add(RuleRPCResponseTypeChanged, at, el, "rpc %s response type changed from %s to %s", om.FullName(), o, n)
			}
			if o, n := om.IsStreamingClient(), nm.IsStreamingClient(); o != n {
				c.add(RuleRPCClientStreamingChanged, at, el, "rpc %s client streaming changed from %t to %t", om.FullName(), o, n)
			}
			if o, n := om.IsStreamingServer(), nm.IsStreamingServer(); o != n {
				c.add(RuleRPCServerStreamingChanged, at, el, "rpc %s server streaming changed from %t to %t", om.FullName(), o, n)
			}
		}
	}
}
