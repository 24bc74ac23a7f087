module github.com/wardenhq/warden/sdk/guest

go 1.24
