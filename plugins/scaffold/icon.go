package scaffold

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// iconSizes are the icon sizes a new plugin gets (Chrome's set).
var iconSizes = []int{16, 48, 128}

// icon draws a placeholder icon of size pixels: a rounded square in
// Warden's blue with a lighter inner square, for the author to replace.
func icon(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	outer := color.NRGBA{R: 0x2b, G: 0x5c, B: 0xb8, A: 0xff}
	inner := color.NRGBA{R: 0xd6, G: 0xe4, B: 0xff, A: 0xff}
	r := size / 5
	in := size / 4
	for y := range size {
		for x := range size {
			if corner(x, y, size, r) {
				continue
			}
			c := outer
			if x >= in && x < size-in && y >= in && y < size-in {
				c = inner
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img) // writing to memory cannot fail
	return b.Bytes()
}

// corner reports whether (x, y) lies outside the rounded corners of radius
// r of a size×size square.
func corner(x, y, size, r int) bool {
	cx, cy := -1, -1
	switch {
	case x < r:
		cx = r
	case x >= size-r:
		cx = size - r - 1
	}
	switch {
	case y < r:
		cy = r
	case y >= size-r:
		cy = size - r - 1
	}
	if cx < 0 || cy < 0 {
		return false
	}
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy > r*r
}
