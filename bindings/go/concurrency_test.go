package peerguard_test

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	peerguard "github.com/libpeerguard/peerguard-go"
)

// Many goroutines evaluate against one PolicySet and must get the decisions computed on one goroutine.
func TestConcurrentEvaluations(t *testing.T) {
	ps := loadTestPolicy(t)
	type job struct {
		event, resources []byte
		want             [][]byte
	}
	jobs := make([]job, 32)
	for i := range jobs {
		j := &jobs[i]
		j.event = mustJSON(t, createEvent(pcxID(i), "ev-"+strconv.Itoa(i)))
		j.resources = mustJSON(t, map[string]any{"VpcPeeringConnections": []any{
			describeRecord(pcxID(i), foreign, account, "pending-acceptance"),
			describeRecord(pcxID(i+1), account, allowed, "active"),
		}})
		for _, eval := range []func([]byte, peerguard.Context) (*peerguard.Result, error){ps.EvaluateEvent, ps.EvaluateResources} {
			doc := j.event
			if len(j.want) == 1 {
				doc = j.resources
			}
			res, err := eval(doc, ctx)
			if err != nil {
				t.Fatal(err)
			}
			var all [][]byte
			for _, d := range res.Decisions {
				all = append(all, d.JSON())
			}
			j.want = append(j.want, bytes.Join(all, []byte("\n")))
		}
	}

	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan string, workers*len(jobs))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for round := 0; round < 4; round++ {
				for i := range jobs {
					j := &jobs[(i+w)%len(jobs)]
					for k, doc := range [][]byte{j.event, j.resources} {
						var res *peerguard.Result
						var err error
						if k == 0 {
							res, err = ps.EvaluateEvent(doc, ctx)
						} else {
							res, err = ps.EvaluateResources(doc, ctx)
						}
						if err != nil {
							errs <- err.Error()
							return
						}
						var all [][]byte
						for _, d := range res.Decisions {
							all = append(all, d.JSON())
						}
						if !bytes.Equal(bytes.Join(all, []byte("\n")), j.want[k]) {
							errs <- "worker " + strconv.Itoa(w) + ": decisions differ from the reference"
							return
						}
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Close waits for running evaluations; evaluations that start after it get an error, never a crash.
func TestCloseDuringEvaluations(t *testing.T) {
	ps, err := peerguard.LoadPoliciesString(testPolicy)
	if err != nil {
		t.Fatal(err)
	}
	records := make([]any, 500)
	for i := range records {
		records[i] = describeRecord(pcxID(i), foreign, account, "active")
	}
	doc := mustJSON(t, map[string]any{"VpcPeeringConnections": records})

	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	complete, closed := 0, 0
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < 5; i++ {
				res, err := ps.EvaluateResources(doc, ctx)
				mu.Lock()
				switch {
				case err == nil && len(res.Decisions) == len(records):
					complete++
				case err != nil && strings.Contains(err.Error(), "closed"):
					closed++
				default:
					t.Errorf("unexpected outcome: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	ps.Close()
	wg.Wait()
	if complete+closed != 40 {
		t.Errorf("%d complete and %d closed evaluations, want 40 in all", complete, closed)
	}
}

func rssKiB(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm")
	}
	pages, err := strconv.ParseInt(strings.Fields(string(data))[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize()) / 1024
}

// Sets dropped without Close are freed by the finalizer, so a load loop keeps a flat RSS.
func TestFinalizerFreesDroppedSets(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	if sanitized {
		t.Skip("AddressSanitizer keeps freed memory in quarantine, so RSS does not show leaks")
	}
	event := mustJSON(t, createEvent("pcx-0aaaaaaaaaaaaaaa1", "ev-1"))
	loop := func(n int) {
		for i := 0; i < n; i++ {
			ps, err := peerguard.LoadPoliciesString(testPolicy)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ps.EvaluateEvent(event, ctx); err != nil {
				t.Fatal(err)
			}
			if i%200 == 0 {
				runtime.GC()
			}
		}
		runtime.GC()
		runtime.GC()
	}
	loop(1000)
	before := rssKiB(t)
	loop(5000)
	growth := rssKiB(t) - before
	// A policy set that is never freed costs several KiB, which 5,000 of would show as tens of MiB.
	if growth > 8192 {
		t.Errorf("RSS grew by %d KiB over 5,000 dropped sets", growth)
	}
	t.Logf("RSS growth over 5,000 dropped sets: %d KiB", growth)
}
