package ratelimit

// links are the neighbours of an element in a list; embedding them makes the element its own
// list node, so keeping a key in LRU order allocates nothing.
type links[T any] struct{ prev, next *T }

// linked is a pointer to an element that carries its links.
type linked[T any] interface {
	*T
	links() *links[T]
}

// list is an intrusive doubly linked list, most recently used first.
type list[T any, P linked[T]] struct{ head, tail *T }

func (l *list[T, P]) pushFront(e *T) {
	n := P(e).links()
	n.prev, n.next = nil, l.head
	if l.head != nil {
		P(l.head).links().prev = e
	}
	l.head = e
	if l.tail == nil {
		l.tail = e
	}
}

func (l *list[T, P]) remove(e *T) {
	n := P(e).links()
	if n.prev != nil {
		P(n.prev).links().next = n.next
	} else if l.head == e {
		l.head = n.next
	}
	if n.next != nil {
		P(n.next).links().prev = n.prev
	} else if l.tail == e {
		l.tail = n.prev
	}
	n.prev, n.next = nil, nil
}

func (l *list[T, P]) moveToFront(e *T) {
	if l.head == e {
		return
	}
	l.remove(e)
	l.pushFront(e)
}
