package proto

import (
	"errors"
	"fmt"
	"mime"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// ErrNotFound is returned (wrapped) when a message, service or method is not
// in the loaded files.
var ErrNotFound = errors.New("not found")

// ErrAmbiguous is returned (wrapped) when a short name matches more than one
// descriptor.
var ErrAmbiguous = errors.New("ambiguous name")

// FindMessage returns the message named name: a full name with or without
// the leading dot (".area_calculator.ShapeMessage", "area_calculator.ShapeMessage"),
// or a short name ("ShapeMessage") that is unique across the loaded files,
// as Pact JVM writes it in content types.
func (f *Files) FindMessage(name string) (protoreflect.MessageDescriptor, error) {
	full := strings.TrimPrefix(strings.TrimSpace(name), ".")
	if full == "" {
		return nil, fmt.Errorf("message %q: %w", name, ErrNotFound)
	}
	if d, err := f.registry.FindDescriptorByName(protoreflect.FullName(full)); err == nil {
		if md, ok := d.(protoreflect.MessageDescriptor); ok {
			return md, nil
		}
		return nil, fmt.Errorf("message %q: %s is not a message: %w", name, full, ErrNotFound)
	}
	var found []protoreflect.MessageDescriptor
	f.eachFile(func(fd protoreflect.FileDescriptor) {
		walkMessages(fd.Messages(), func(md protoreflect.MessageDescriptor) {
			if string(md.Name()) == full || strings.HasSuffix(string(md.FullName()), "."+full) {
				found = append(found, md)
			}
		})
	})
	return pickOne(name, "message", found)
}

// FindService returns the service named name: a full name with or without
// the leading dot, or a short name unique across the loaded files.
func (f *Files) FindService(name string) (protoreflect.ServiceDescriptor, error) {
	full := strings.TrimPrefix(strings.TrimSpace(name), ".")
	if full == "" {
		return nil, fmt.Errorf("service %q: %w", name, ErrNotFound)
	}
	if d, err := f.registry.FindDescriptorByName(protoreflect.FullName(full)); err == nil {
		if sd, ok := d.(protoreflect.ServiceDescriptor); ok {
			return sd, nil
		}
		return nil, fmt.Errorf("service %q: %s is not a service: %w", name, full, ErrNotFound)
	}
	var found []protoreflect.ServiceDescriptor
	f.eachFile(func(fd protoreflect.FileDescriptor) {
		svcs := fd.Services()
		for i := 0; i < svcs.Len(); i++ {
			sd := svcs.Get(i)
			if string(sd.Name()) == full || strings.HasSuffix(string(sd.FullName()), "."+full) {
				found = append(found, sd)
			}
		}
	})
	return pickOne(name, "service", found)
}

// FindMethod returns the RPC method named as "Service/Method" with the
// service given as FindService accepts it: "Calculator/calculateOne",
// "area_calculator.Calculator/calculateOne",
// ".area_calculator.Calculator/calculateOne", or the gRPC path form
// "/area_calculator.Calculator/calculateOne".
func (f *Files) FindMethod(name string) (protoreflect.MethodDescriptor, error) {
	trimmed := strings.TrimPrefix(strings.TrimSpace(name), "/")
	i := strings.LastIndex(trimmed, "/")
	if i <= 0 || i == len(trimmed)-1 {
		return nil, fmt.Errorf("method %q: want Service/Method: %w", name, ErrNotFound)
	}
	sd, err := f.FindService(trimmed[:i])
	if err != nil {
		return nil, fmt.Errorf("method %q: %w", name, err)
	}
	md := sd.Methods().ByName(protoreflect.Name(trimmed[i+1:]))
	if md == nil {
		return nil, fmt.Errorf("method %q: service %s has no method %s: %w", name, sd.FullName(), trimmed[i+1:], ErrNotFound)
	}
	return md, nil
}

func (f *Files) eachFile(fn func(protoreflect.FileDescriptor)) {
	f.registry.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		fn(fd)
		return true
	})
}

func walkMessages(msgs protoreflect.MessageDescriptors, fn func(protoreflect.MessageDescriptor)) {
	for i := 0; i < msgs.Len(); i++ {
		md := msgs.Get(i)
		fn(md)
		walkMessages(md.Messages(), fn)
	}
}

func pickOne[D protoreflect.Descriptor](name, kind string, found []D) (D, error) {
	var zero D
	switch len(found) {
	case 0:
		return zero, fmt.Errorf("%s %q: %w", kind, name, ErrNotFound)
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, d := range found {
		names[i] = string(d.FullName())
	}
	sort.Strings(names)
	return zero, fmt.Errorf("%s %q matches %s: %w", kind, name, strings.Join(names, ", "), ErrAmbiguous)
}

// ContentTypeMessage returns the message named by the "message" parameter
// of a protobuf content type, as pact files write it
// ("application/protobuf; message=.area_calculator.ShapeMessage"), or ""
// when there is none.
func ContentTypeMessage(contentType string) string {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["message"]
	}
	// Some writers produce parameters mime rejects; scan for it instead.
	for _, part := range strings.Split(contentType, ";") {
		if name, value, ok := strings.Cut(strings.TrimSpace(part), "="); ok && strings.EqualFold(strings.TrimSpace(name), "message") {
			return strings.Trim(strings.TrimSpace(value), `"`)
		}
	}
	return ""
}
