package peerguard

/*
#include <stdint.h>
*/
import "C"

import "runtime/cgo"

// LogLevel is the level of a message from the library.
type LogLevel int

// Levels of peerguard_log_level.
const (
	LogError LogLevel = 0
	LogWarn  LogLevel = 1
	LogInfo  LogLevel = 2
	LogDebug LogLevel = 3
)

func (l LogLevel) String() string {
	switch l {
	case LogError:
		return "error"
	case LogWarn:
		return "warning"
	case LogInfo:
		return "info"
	default:
		return "debug"
	}
}

// Logger receives the library's messages: warnings found while loading
// policies, and notes during evaluation.
type Logger func(level LogLevel, message string)

//export pggoLog
func pggoLog(level C.int, message *C.char, handle C.uintptr_t) {
	fn, ok := cgo.Handle(handle).Value().(Logger)
	if ok && fn != nil {
		fn(LogLevel(level), C.GoString(message))
	}
}
