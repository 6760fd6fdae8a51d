module github.com/libpeerguard/peerguard-go

go 1.26.8
