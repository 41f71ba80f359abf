#!/usr/bin/env node
import { run } from '../dist/backprop-tutor.mjs'

run()
