#!/usr/bin/env node
'use strict'
require('./load.cjs').loadBundle().exports.run()
