package breaking

import (
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Source path numbers in MethodDescriptorProto and MethodOptions.
const (
	methodInputPath       = 2
	methodOutputPath      = 3
	methodOptionsPath     = 4
	methodIdempotencyPath = 34
)

// checkServices compares services present in both schemas: deleted RPCs,
// and RPCs whose request or response type, streaming or idempotency level
// changed.
func (c *checker) checkServices() {
	for _, name := range sortedNames(c.oldIdx.services) {
		oldSvc := c.oldIdx.services[name]
		newSvc, ok := c.newIdx.services[name]
		if !ok {
			continue // reported by the FILE and PACKAGE deletion rules
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
			if o, n := om.Input().FullName(), nm.Input().FullName(); o != n {
				inAt, _ := c.new.PositionAt(nm, methodInputPath)
				c.add(RuleRPCRequestTypeChanged, inAt, el, "rpc %s request type changed from %s to %s", om.FullName(), o, n)
			}
			if o, n := om.Output().FullName(), nm.Output().FullName(); o != n {
				outAt, _ := c.new.PositionAt(nm, methodOutputPath)
				c.add(RuleRPCResponseTypeChanged, outAt, el, "rpc %s response type changed from %s to %s", om.FullName(), o, n)
			}
			if o, n := om.IsStreamingClient(), nm.IsStreamingClient(); o != n {
				c.add(RuleRPCClientStreamingChanged, at, el, "rpc %s client streaming changed from %t to %t", om.FullName(), o, n)
			}
			if o, n := om.IsStreamingServer(), nm.IsStreamingServer(); o != n {
				c.add(RuleRPCServerStreamingChanged, at, el, "rpc %s server streaming changed from %t to %t", om.FullName(), o, n)
			}
			if o, n := idempotency(om), idempotency(nm); o != n {
				optAt, ok := c.new.PositionAt(nm, methodOptionsPath, methodIdempotencyPath)
				if !ok {
					optAt = c.fileOnly(c.new, nm.ParentFile()) // as buf, when the new RPC does not set it
				}
				c.add(RuleRPCIdempotencyLevelChanged, optAt, el, "rpc %s idempotency_level changed from %s to %s", om.FullName(), o, n)
			}
		}
	}
}

func idempotency(m protoreflect.MethodDescriptor) descriptorpb.MethodOptions_IdempotencyLevel {
	o, _ := m.Options().(*descriptorpb.MethodOptions)
	return o.GetIdempotencyLevel()
}
